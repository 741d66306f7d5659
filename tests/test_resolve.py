from kg.resolve import expand_abbreviation, resolve_mentions, strip_marks
from tests.helpers import make_doc


def by_name(entities):
    return {e.name: e for e in entities}


def test_defined_short_form_becomes_alias_and_later_mentions_count():
    text = "北碚区与中交重庆投资发展有限公司（简称“中交重投”）签订合作协议。未来，中交重投还将参与新城建设。"
    doc = make_doc(text, [("北碚区", "DISTRICT"), ("中交重庆投资发展有限公司", "ORG")])
    ents = by_name(resolve_mentions(doc))
    company = ents["中交重庆投资发展有限公司"]
    assert company.aliases == ["中交重投"]
    assert company.key == "ORG:中交重庆投资发展有限公司"
    # the second sentence's 中交重投 is a mention of the company
    assert [m.text for m in company.mentions] == ["中交重庆投资发展有限公司", "中交重投"]


def test_document_number_after_title_is_an_alias_of_the_policy():
    text = "为贯彻落实《重庆市建设国家新一代人工智能创新发展试验区实施方案》（渝府办发〔2020〕78号），制定本方案。"
    doc = make_doc(text, [("重庆市建设国家新一代人工智能创新发展试验区实施方案", "POLICY"),
                          ("渝府办发〔2020〕78号", "POLICY")],
                   attrs={"渝府办发〔2020〕78号": {"doc_number": "渝府办发〔2020〕78号", "year": 2020}})
    ents = resolve_mentions(doc)
    assert len(ents) == 1
    assert ents[0].name == "重庆市建设国家新一代人工智能创新发展试验区实施方案"
    assert ents[0].aliases == ["渝府办发〔2020〕78号"]
    assert ents[0].attrs["year"] == 2020


def test_district_short_form_merges_with_full_name_only_when_written():
    doc = make_doc("荣昌区招商组到广州招商。企业决定落户荣昌。", [("荣昌区", "DISTRICT"), ("广州", "DISTRICT"), ("荣昌", "DISTRICT")])
    ents = by_name(resolve_mentions(doc))
    assert ents["荣昌区"].aliases == ["荣昌"]
    assert "广州" in ents  # alone, the short form is the entity's name


def test_abbreviated_government_body_gets_official_name_in_city_context():
    text = "重庆市召开会议。市科技局、市商务委参加。"
    doc = make_doc(text, [("重庆市", "DISTRICT"), ("市科技局", "ORG"), ("市商务委", "ORG")],
                   attrs={"重庆市": {"level": "province"}})
    ents = by_name(resolve_mentions(doc))
    assert ents["重庆市科学技术局"].aliases == ["市科技局"]
    assert ents["重庆市商务委员会"].aliases == ["市商务委"]


def test_never_merges_across_types():
    doc = make_doc("綦江区建设綦江区。", [("綦江区", "DISTRICT"), ("綦江区", "ORG")])
    assert sorted(e.type for e in resolve_mentions(doc)) == ["DISTRICT", "ORG"]


def test_helpers():
    assert strip_marks("《重庆市推动“人工智能+”行动方案》") == "重庆市推动“人工智能+”行动方案"
    assert strip_marks("“渝快办”App") == "“渝快办”App"
    assert expand_abbreviation("市经信委", "重庆市") == "重庆市经济和信息化委员会"
    assert expand_abbreviation("市场监管局", "重庆市") == "市场监管局"
