"""kg_project_ruler: quoted names, head words with clean left edges, 等项目 lists."""
from __future__ import annotations


def test_quoted_app_system_and_ship(ents):
    found = ents("在“渝快办”App上办理。“九龙智慧流调”系统开启新时代。“智飞”号在青岛海试。")
    assert {("“渝快办”App", "PROJECT"), ("“九龙智慧流调”系统", "PROJECT"), ("“智飞”号", "PROJECT")} <= found


def test_quoted_project_name_before_the_generic_word_project(ents):
    found = ents("当时申报的“川渝特大城市群服务集成与治理关键技术研究与应用示范”项目。")
    assert ("川渝特大城市群服务集成与治理关键技术研究与应用示范", "PROJECT") in found


def test_left_edge_stops_at_the_verb(ents):
    found = ents("计划投资50亿元建设中交产业园（重庆）项目。依托医疗智能影像云平台，医生进行远程诊断。")
    assert ("中交产业园（重庆）项目", "PROJECT") in found
    found = ents("在铜梁共建锂离子电池负极材料生产基地项目，签约诗健ADC抗体药物研发及产业化项目。")
    assert ("诗健ADC抗体药物研发及产业化项目", "PROJECT") in found


def test_listed_projects(ents):
    found = ents("涪陵区签约的万凯食品级PET高分子新材料60万吨扩建、华峰铝业年产15万吨新能源铝板带箔等项目。")
    assert ("万凯食品级PET高分子新材料60万吨扩建", "PROJECT") in found
    assert ("华峰铝业年产15万吨新能源铝板带箔", "PROJECT") in found


def test_descriptions_are_not_projects(ents):
    # gov report style: generic systems and platforms, no name
    found = ents("重点打造智能雾灯系统、货运车辆托管监控平台、交通信息发布系统等应用场景。建成10个左右人工智能创新平台。")
    assert not any(label == "PROJECT" for _, label in found)


def test_names_introduced_by_a_verb_that_builds_or_runs(ents):
    found = ents("上海商汤智能将建设智能汽车数据共享运营中心，开展研发。九龙坡区更搭建了基层智慧治理平台。")
    assert {("智能汽车数据共享运营中心", "PROJECT"), ("基层智慧治理平台", "PROJECT")} <= found
    found = ents("在秀山县建成的武陵山片区消费扶贫馆，辐射带动4省市。")
    assert ("武陵山片区消费扶贫馆", "PROJECT") in found


def test_facility_project_and_bracketed_gloss(ents):
    assert ("汉达精密电子西部生产基地项目", "PROJECT") in ents("永川区签约的汉达精密电子西部生产基地项目，总投资约10.2亿元。")
    found = ents("共建达硕实验动物基地和实验动物AE+（Animal Experiment, 动物实验）产学研全球中心等。")
    assert ("达硕实验动物基地", "PROJECT") in found
    assert ("实验动物AE+（Animal Experiment, 动物实验）产学研全球中心", "PROJECT") in found


def test_coordinated_and_quoted_list_names(ents):
    found = ents("统筹推进产业基础再造工程和重大技术装备攻关工程。用好“渝才荟”等平台。")
    assert {("产业基础再造工程", "PROJECT"), ("重大技术装备攻关工程", "PROJECT"), ("渝才荟", "PROJECT")} <= found


def test_left_edge_after_a_verb_with_a_place_object_or_a_complement(ents):
    found = ents("电子信息产业链招商组由此结合重庆（西部）电子电路产业园的优势。四是发挥好扶贫832平台作用。")
    assert ("重庆（西部）电子电路产业园", "PROJECT") in found
    assert ("扶贫832平台", "PROJECT") in found


def test_aims_categories_and_designations_are_not_projects(ents):
    # gov_policy_docs_env50 and corpus plan language
    found = ents(
        "支持企业打造互联网工业平台。围绕重庆优势领域积极培育一批AI应用中试基地。大力建设卓越工程师培养基地。"
        "“点”上采用平台分组对接企业。北京国家级绿色工厂数量已达161家。建设科技创新中心。"
    )
    assert not any(label == "PROJECT" for _, label in found)


def test_new_towns_named_after_a_place_jieba_does_not_know(ents):
    # corpus 003
    found = ents("中交重投还将进一步参与蔡家智慧新城建设。比如，在蔡家新城建设智慧停车楼或停车场。")
    assert {("蔡家智慧新城", "PROJECT"), ("蔡家新城", "PROJECT")} <= found
    # a description (dictionary words only) is not a name
    assert not any(label == "PROJECT" for _, label in ents("各地要加快建设智慧新城和现代新城。"))


def test_a_list_marker_is_not_part_of_a_name(ents):
    found = ents("（六）建设鲁渝科技协作信息服务平台。")
    assert ("鲁渝科技协作信息服务平台", "PROJECT") in found
    assert not any(name.startswith("（") for name, _ in found)
