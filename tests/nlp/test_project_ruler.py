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
