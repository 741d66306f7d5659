"""Relation rules on real sentences (from the demo corpus and the policy data sets)."""
from kg.relations import extract_relations, parse_amount
from kg.resolve import resolve_mentions
from tests.helpers import make_doc


def facts(text, mentions, attrs=None):
    doc = make_doc(text, mentions, attrs)
    ents = resolve_mentions(doc)
    names = {e.key: e.name for e in ents}
    return {(names[r.head], r.relation, names[r.tail]) for r in extract_relations(doc, ents)}


def test_members_of_a_coordinated_list():
    text = "该联盟由重庆大学、西南大学、重庆邮电大学等单位联合组成。"
    got = facts("重庆市人工智能技术创新战略联盟成立。" + text,
                [("重庆市人工智能技术创新战略联盟", "ORG"), ("重庆大学", "ORG"), ("西南大学", "ORG"), ("重庆邮电大学", "ORG")])
    for member in ("重庆大学", "西南大学", "重庆邮电大学"):
        assert (member, "memberOf", "重庆市人工智能技术创新战略联盟") in got


def test_issued_by_and_implements():
    text = "重庆市人民政府办公厅日前印发《重庆市推动“人工智能+”行动方案》。为贯彻落实《国家方案》，制定了《綦江区实施方案》。"
    got = facts(text, [("重庆市人民政府办公厅", "ORG"), ("重庆市推动“人工智能+”行动方案", "POLICY"),
                       ("国家方案", "POLICY"), ("綦江区实施方案", "POLICY")])
    assert ("重庆市推动“人工智能+”行动方案", "issuedBy", "重庆市人民政府办公厅") in got
    assert ("綦江区实施方案", "implements", "国家方案") in got


def test_projects_signed_by_a_district_are_located_there():
    text = "涪陵区签约的万凯新材料扩建项目、华峰铝业新能源铝板带箔项目等项目，计划总投资75亿元。"
    got = facts(text, [("涪陵区", "DISTRICT"), ("万凯新材料扩建项目", "PROJECT"), ("华峰铝业新能源铝板带箔项目", "PROJECT")])
    assert got == {("万凯新材料扩建项目", "locatedIn", "涪陵区"), ("华峰铝业新能源铝板带箔项目", "locatedIn", "涪陵区")}


def test_agreement_gives_partners_investment_and_location():
    text = "北碚区与中交重庆投资发展有限公司签订合作协议，计划投资50亿元建设中交产业园（重庆）项目。"
    got = facts(text, [("北碚区", "DISTRICT"), ("中交重庆投资发展有限公司", "ORG"), ("中交产业园（重庆）项目", "PROJECT")])
    assert ("北碚区", "partnerOf", "中交重庆投资发展有限公司") in got
    assert ("中交重庆投资发展有限公司", "invests", "中交产业园（重庆）项目") in got


def test_domain_and_range_are_enforced():
    # "印发" between two organisations is not issuedBy (the tail must be a policy's issuer)
    got = facts("重庆大学印发西南大学。", [("重庆大学", "ORG"), ("西南大学", "ORG")])
    assert not any(rel == "issuedBy" for _, rel, _ in got)


def test_sub_unit_named_after_parent():
    got = facts("在重庆大学大数据与软件学院，专家介绍了重庆大学的成果。",
                [("重庆大学大数据与软件学院", "ORG"), ("重庆大学", "ORG")])
    assert ("重庆大学大数据与软件学院", "subOrganizationOf", "重庆大学") in got


def test_amounts_in_yuan():
    assert parse_amount("计划投资50亿元建设") == 5_000_000_000
    assert parse_amount("总投资约10.2亿元") == 1_020_000_000
    assert parse_amount("投资300万元") == 3_000_000
    assert parse_amount("没有金额") is None


def test_gaps_count_characters_not_name_lengths():
    # a long company name does not push the project out of reach of the rule
    text = "四川金汇能新材料股份有限公司签署协议，在铜梁共建锂离子电池负极材料生产基地项目。"
    got = facts(text, [("四川金汇能新材料股份有限公司", "ORG"), ("铜梁", "DISTRICT"),
                       ("锂离子电池负极材料生产基地项目", "PROJECT")])
    assert ("四川金汇能新材料股份有限公司", "develops", "锂离子电池负极材料生产基地项目") in got
    assert ("锂离子电池负极材料生产基地项目", "locatedIn", "铜梁") in got


def test_a_plan_made_to_implement_another_is_not_issued_by_the_helper():
    text = "联盟协助市科技局编制了落实《创新驱动战略行动计划》的实施方案。"
    got = facts(text, [("联盟", "ORG"), ("市科技局", "ORG"), ("创新驱动战略行动计划", "POLICY")])
    assert not any(rel == "issuedBy" for _, rel, _ in got)


def test_carried_subject_from_previous_sentence():
    text = "奥普新能源研发生产基地项目签约。该项目将落户南岸区和重庆经开区。"
    got = facts(text, [("奥普新能源研发生产基地项目", "PROJECT"), ("南岸区", "DISTRICT"), ("重庆经开区", "DISTRICT")])
    assert got == {("奥普新能源研发生产基地项目", "locatedIn", "南岸区"),
                   ("奥普新能源研发生产基地项目", "locatedIn", "重庆经开区")}
