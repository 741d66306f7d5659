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


def test_abbreviated_government_body_is_keyed_by_its_official_name_in_city_context():
    text = "重庆市召开会议。市科技局、市商务委参加。"
    doc = make_doc(text, [("重庆市", "DISTRICT"), ("市科技局", "ORG"), ("市商务委", "ORG")],
                   attrs={"重庆市": {"level": "province"}})
    ents = by_name(resolve_mentions(doc))
    # written as in the text, keyed by the official long form for merging across documents
    assert ents["市科技局"].key == "ORG:重庆市科学技术局"
    assert ents["市商务委"].key == "ORG:重庆市商务委员会"
    assert ents["市科技局"].attrs["kind"] == "government"


def test_abbreviation_and_full_name_in_one_document_are_one_entity():
    text = "重庆市科学技术局印发通知。重庆市有关方面表示，市科技局将跟进。"
    doc = make_doc(text, [("重庆市科学技术局", "ORG"), ("重庆市", "DISTRICT"), ("市科技局", "ORG")],
                   attrs={"重庆市": {"level": "province"}})
    ents = [e for e in resolve_mentions(doc) if e.type == "ORG"]
    assert [(e.name, e.aliases) for e in ents] == [("重庆市科学技术局", ["市科技局"])]


def test_same_entity_across_documents_merges_under_the_official_name():
    from kg.doc import DocResult
    from kg.graph import Corpus

    docs = []
    for name, text, mentions in (
        ("a.txt", "重庆市召开会议。市科技局参加。", [("重庆市", "DISTRICT"), ("市科技局", "ORG")]),
        ("b.txt", "重庆市科学技术局发布通知。", [("重庆市科学技术局", "ORG")]),
    ):
        ents = resolve_mentions(make_doc(text, mentions, attrs={"重庆市": {"level": "province"}}))
        docs.append(DocResult(doc=name, path=name, sha256="", chars=len(text), entities=ents))
    corpus = Corpus.assemble(docs)
    bureau = corpus.entities["ORG:重庆市科学技术局"]
    assert bureau.name == "重庆市科学技术局"
    assert bureau.aliases == ["市科技局"]
    assert bureau.docs == ["a.txt", "b.txt"]


def test_bare_generic_policy_head_is_not_an_entity():
    doc = make_doc("此次出台《方案》的目的。", [("方案", "POLICY")])
    assert resolve_mentions(doc) == []


def test_never_merges_across_types():
    doc = make_doc("綦江区建设綦江区。", [("綦江区", "DISTRICT"), ("綦江区", "ORG")])
    assert sorted(e.type for e in resolve_mentions(doc)) == ["DISTRICT", "ORG"]


def test_helpers():
    assert strip_marks("《重庆市推动“人工智能+”行动方案》") == "重庆市推动“人工智能+”行动方案"
    assert strip_marks("“渝快办”App") == "“渝快办”App"
    assert expand_abbreviation("市经信委", "重庆市") == "重庆市经济和信息化委员会"
    assert expand_abbreviation("市场监管局", "重庆市") == "市场监管局"


def test_a_district_has_one_key_whatever_form_a_document_writes():
    short = resolve_mentions(make_doc("重庆各种政务服务。", [("重庆", "DISTRICT")],
                                      attrs={"重庆": {"code": "500000", "official_name": "重庆市"}}))
    full = resolve_mentions(make_doc("重庆市人民政府。", [("重庆市", "DISTRICT")],
                                     attrs={"重庆市": {"code": "500000"}}))
    assert short[0].name == "重庆"  # as written, which is what the guidelines score
    assert short[0].key == full[0].key == "DISTRICT:重庆市"


def test_regime_is_named_by_its_quoted_word_and_keeps_the_longer_form():
    from kg.pipeline import extract_text

    result = extract_text("该区建立的产业链“链长制”成效明显。")
    [regime] = [e for e in result.entities if e.type == "POLICY"]
    assert {regime.name, *regime.aliases} == {"产业链“链长制”", "链长制"}


def test_short_form_without_a_descriptive_word_merges_with_the_full_name():
    text = "中交重投将参与蔡家智慧新城建设。在蔡家新城建设智慧停车楼。"
    doc = make_doc(text, [("蔡家智慧新城", "PROJECT"), ("蔡家新城", "PROJECT")])
    [town] = resolve_mentions(doc)
    assert (town.name, town.aliases) == ("蔡家智慧新城", ["蔡家新城"])
    # a different word in the middle is a different thing
    doc = make_doc("建设蔡家科学新城和蔡家新城。", [("蔡家科学新城", "PROJECT"), ("蔡家新城", "PROJECT")])
    assert len(resolve_mentions(doc)) == 2
