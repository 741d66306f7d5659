"""kg_district_ruler: gazetteer divisions, short forms in context, zones."""
from __future__ import annotations


def test_divisions_of_every_level_with_code_level_parent(nlp):
    doc = nlp("黔江区石家镇关口村村民在重庆市委办公厅扶贫集团帮助下致富，广州市南沙区也来考察。")
    by_text = {e.text: e for e in doc.ents if e.label_ == "DISTRICT"}
    assert by_text["黔江区"]._.kg_attrs == {
        "code": "500114", "level": "county", "parent": "重庆市", "official_name": "黔江区"
    }
    assert by_text["石家镇"]._.kg_attrs["level"] == "town"
    assert by_text["石家镇"]._.kg_attrs["parent"] == "黔江区"
    assert by_text["关口村"]._.kg_attrs["parent"] == "石家镇"  # the 关口村 of 石家镇, not another
    assert by_text["广州市"]._.kg_attrs["code"] == "440100"
    assert by_text["南沙区"]._.kg_attrs["parent"] == "广州市"  # context beats the home province
    assert all(e._.kg_rule.startswith("kg_district_ruler") for e in by_text.values())


def test_county_short_form_needs_the_full_name_in_the_document(ents):
    assert ("綦江", "DISTRICT") in ents("綦江区位于重庆南部。针对綦江产业特色，发挥优势。")
    # 合作 is the short name of 合作市 (Gansu) and 比如 of 比如县: ordinary words here.
    found = ents("比如，双方开展合作，共同发展。")
    assert not any(label == "DISTRICT" for _, label in found)


def test_short_form_carries_its_canonical_name(nlp):
    doc = nlp("荣昌区位于重庆西部，荣昌的企业很多。")
    short = [e for e in doc.ents if e.text == "荣昌"][0]
    assert short._.kg_attrs["canonical"] == "荣昌区"
    assert short._.kg_attrs["code"] == "500153"


def test_province_and_city_short_forms_stand_alone(ents):
    found = ents("重庆与四川联合举办活动，青岛、山东的代表参加。")
    assert {("重庆", "DISTRICT"), ("四川", "DISTRICT"), ("青岛", "DISTRICT"), ("山东", "DISTRICT")} <= found


def test_autonomous_county_common_form(nlp):
    doc = nlp("石柱县中益乡华溪村。")
    ent = [e for e in doc.ents if e.text == "石柱县"][0]
    assert ent._.kg_attrs["official_name"] == "石柱土家族自治县"
    assert ent._.kg_attrs["canonical"] == "石柱土家族自治县"


def test_functional_zones_by_pattern(ents):
    found = ents("加强与西部（重庆）科学城、两江协同创新区合作，积极与渝黔高新区、重庆经开区、万盛经开区合作。")
    for zone in ("西部（重庆）科学城", "两江协同创新区", "渝黔高新区", "重庆经开区", "万盛经开区"):
        assert (zone, "DISTRICT") in found


def test_generic_zone_phrases_are_not_zones(ents):
    found = ents("为创建国家高新区提供支撑，获青少年科技创新区长奖。")
    assert not any(label == "DISTRICT" for _, label in found)


def test_pair_abbreviations_are_not_districts(ents):
    found = ents("川渝两地、成渝地区和鲁渝协作。")
    assert not any(text in ("川渝", "成渝", "鲁渝") for text, _ in found)


def test_traditional_input(ents):
    assert ("銅梁區", "DISTRICT") not in ents("銅梁區")  # the pipeline reads normalised text
    assert ("铜梁区", "DISTRICT") in ents("銅梁區(qū)與四川金匯能公司簽約")


def test_gazetteer_scan_finds_the_longest_form_at_each_position():
    """The scan skips positions whose first two characters begin no form; it must find what
    trying every form length at every position finds."""
    from pathlib import Path

    from kg.nlp.gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    lengths = sorted({len(form) for form in gazetteer.forms}, reverse=True)

    def every_position(text):
        found, i = [], 0
        while i < len(text):
            for n in lengths:
                if text[i : i + n] in gazetteer.forms:
                    found.append((i, i + n))
                    i += n
                    break
            else:
                i += 1
        return found

    corpus = Path(__file__).resolve().parents[2] / "corpus"
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        expected = every_position(text)
        assert expected  # every corpus document names places
        assert [(s, e) for s, e, _ in gazetteer.find_all(text)] == expected


def test_gazetteer_is_read_once_however_its_path_is_written():
    from kg.nlp.gazetteer import DEFAULT_PATH, load_gazetteer

    assert load_gazetteer() is load_gazetteer(str(DEFAULT_PATH)) is load_gazetteer(DEFAULT_PATH)
