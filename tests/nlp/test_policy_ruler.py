"""kg_policy_ruler: titles, notices, document numbers, quoted and introduced plans."""
from __future__ import annotations


def test_title_and_document_number(nlp):
    # gov_policy_docs_env50
    doc = nlp("2016年11月，国务院办公厅印发《控制污染物排放许可制实施方案》（国办发〔2016〕81号）明确了目标任务。")
    found = {e.text: e for e in doc.ents}
    assert found["控制污染物排放许可制实施方案"].label_ == "POLICY"
    number = found["国办发〔2016〕81号"]
    assert number.label_ == "POLICY"
    assert number._.kg_attrs == {"doc_number": "国办发〔2016〕81号", "issuer_code": "国办发", "year": 2016, "serial": 81}


def test_local_document_numbers(nlp):
    doc = nlp("根据永川府发〔2024〕9号和渝府办发〔2020〕78号文件精神。")
    numbers = {e._.kg_attrs["issuer_code"]: e._.kg_attrs["serial"] for e in doc.ents if e.label_ == "POLICY"}
    assert numbers == {"永川府发": 9, "渝府办发": 78}


def test_notice_wrapping_a_title_is_one_policy(ents):
    found = ents("关于印发《綦江区建设新一代人工智能创新发展试验区实施方案》的通知")
    assert found == {("关于印发《綦江区建设新一代人工智能创新发展试验区实施方案》的通知", "POLICY")}


def test_newspapers_in_title_marks_are_not_policies(ents):
    assert not any(label == "POLICY" for _, label in ents("万博新经济研究院院长在接受《金融时报》记者采访时表示。"))


def test_quoted_plans(ents):
    # gov_policy_docs_env50
    assert ("国家环境保护“十二五”规划", "POLICY") in ents("现将《国家环境保护“十二五”规划》印发给你们。")
    found = ents("当日举行的重庆软件和信息服务“满天星”行动计划重大项目专场签约仪式上")
    assert ("重庆软件和信息服务“满天星”行动计划", "POLICY") in found
    assert ("物联网与智慧城市专项", "POLICY") in ents("要建立“物联网与智慧城市专项”，人工智能要为城市群服务。")


def test_plans_introduced_by_a_verb_and_their_lists(ents):
    found = ents("统筹实施国家科技重大专项、国家重点研发计划等科技项目。我们将启动工业数据筑基行动，建设一批数据集。")
    assert {("国家科技重大专项", "POLICY"), ("国家重点研发计划", "POLICY"), ("工业数据筑基行动", "POLICY")} <= found


def test_generic_plan_words_are_not_policies(ents):
    found = ents("制定品牌提升方案，开展一批行动，落实相关规划。")
    assert not any(label == "POLICY" for _, label in found)


def test_introduced_names_that_hold_verbs_of_their_own(ents):
    found = ents("我们将实施发展壮大新兴产业打造新动能行动，创建一批基地。迭代升级高质量数据集建设指南，推动形成语料。")
    assert {("发展壮大新兴产业打造新动能行动", "POLICY"), ("高质量数据集建设指南", "POLICY")} <= found
    found = ents("协助市科技局编制了落实我市以大数据智能化为引领的创新驱动战略行动计划的实施方案。")
    assert ("以大数据智能化为引领的创新驱动战略行动计划", "POLICY") in found


def test_region_called_a_strategy(ents):
    assert ("成渝地区双城经济圈", "POLICY") in ents("深入贯彻落实成渝地区双城经济圈建设战略部署。")
    assert not any(label == "POLICY" for _, label in ents("将为成渝地区双城经济圈储能产业集群发展带来推动作用。"))


def test_titles_of_books_games_and_films_are_not_policies(ents):
    # CLUENER2020 train: 《》 also marks games, films and books
    found = ents("玩家在《魔兽世界》里组队，读者重温《红楼梦》。")
    assert not any(label == "POLICY" for _, label in found)
    found = ents("实施《中国制造2025》，修订《国家突发公共事件总体应急预案》。")
    assert {("中国制造2025", "POLICY"), ("国家突发公共事件总体应急预案", "POLICY")} <= found


def test_quoted_regimes_put_in_place_are_policies(ents):
    # corpus 000: the field before the quote is part of the name
    found = ents("荣昌能有这外出招商引资的“第一次”，在很大程度上得益于该区建立的产业链“链长制”。")
    assert ("产业链“链长制”", "POLICY") in found
    assert ("河长制", "POLICY") in ents("全面推行“河长制”，落实属地责任。")  # a verb is not a field
    # named in passing, or an ordinary word ending in 制: not a policy
    assert not any(label == "POLICY" for _, label in ents("用好“揭榜挂帅”“赛马制”等市场化手段。"))
    assert not any(label == "POLICY" for _, label in ents("建立“长效机制”，完善“管理体制”。"))


def test_document_number_right_after_an_unmarked_title(nlp):
    # gov_policy_docs_env50: title, number and salutation run together on one line
    doc = nlp("国务院办公厅关于加强环境监管执法的通知国办发〔2014〕56号各省、自治区、直辖市人民政府")
    [number] = [e for e in doc.ents if e.label_ == "POLICY"]
    assert number.text == "国办发〔2014〕56号"
    assert number._.kg_attrs["issuer_code"] == "国办发"


def test_verbs_and_pointers_before_a_plan_are_not_its_name(ents):
    found = ents("现就有关工作提出如下分工方案。要求发布政务服务评价工作指南。")
    policies = {name for name, label in found if label == "POLICY"}
    assert "如下分工方案" not in policies
    assert "发布政务服务评价工作指南" not in policies
