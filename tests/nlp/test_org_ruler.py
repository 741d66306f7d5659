"""kg_org_ruler: suffix rules, government abbreviations, generic phrases."""
from __future__ import annotations


def test_companies_universities_institutes(ents):
    found = ents("该联盟由重庆大学、西南大学、中科院重庆绿色智能技术研究院、重庆长安汽车股份有限公司等单位联合组成。")
    for name in ("重庆大学", "西南大学", "中科院重庆绿色智能技术研究院", "重庆长安汽车股份有限公司"):
        assert (name, "ORG") in found


def test_government_bodies_and_abbreviations(ents):
    found = ents("重庆市科技局、山东省科技厅联合主办发布会。市商务委相关负责人介绍，与市公安局共享视频。")
    assert {("重庆市科技局", "ORG"), ("山东省科技厅", "ORG"), ("市商务委", "ORG"), ("市公安局", "ORG")} <= found
    # gov_policy_docs_env50
    found = ents("国家能源局、国家铁路局、中国国家铁路集团有限公司等12个部门组成。")
    assert {("国家能源局", "ORG"), ("国家铁路局", "ORG"), ("中国国家铁路集团有限公司", "ORG")} <= found


def test_district_inside_an_organisation_is_not_a_separate_mention(nlp):
    doc = nlp("重庆市綦江区科学技术局发布通知。")
    assert [(e.text, e.label_) for e in doc.ents] == [("重庆市綦江区科学技术局", "ORG")]


def test_generic_phrases_are_not_organisations(ents):
    found = ents("各区县人民政府、相关部门和各大超市要支持，建设重点实验室。市委、市政府高度重视。")
    assert not any(label == "ORG" for _, label in found)


def test_words_ending_in_a_government_character_are_not_bodies(ents):
    found = ents("重庆市统筹布局，主办方举办活动，全部办理完毕。")
    assert not any(label == "ORG" for _, label in found)


def test_conjunction_before_a_name(ents):
    found = ents("8月22日，北碚区与中交重庆投资发展有限公司签订合作协议。鼓励企业与重庆大学合作。")
    assert ("中交重庆投资发展有限公司", "ORG") in found
    assert ("重庆大学", "ORG") in found
