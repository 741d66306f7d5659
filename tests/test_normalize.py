"""kg.normalize: clean text, offsets back to the raw text, and the scoring name normalisation."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import unicodedata

from kg.normalize import normalise, normalise_name, to_simplified


def test_traditional_to_simplified_keeps_offsets():
    raw = "重慶市銅梁區人民政府發佈《關於加快發展數字經濟的實施意見》"
    n = normalise(raw)
    assert n.text == "重庆市铜梁区人民政府发布《关于加快发展数字经济的实施意见》"
    start = n.text.index("铜梁区")
    assert n.span_to_raw(start, start + 3) == (3, 6)
    assert raw[3:6] == "銅梁區"


def test_pinyin_gloss_removed_and_offsets_skip_it():
    raw = "銅梁區(qū)與大足區(qū)簽約"
    n = normalise(raw)
    assert n.text == "铜梁区与大足区签约"
    s = n.text.index("大足区")
    assert raw[slice(*n.span_to_raw(s, s + 3))] == "大足區"


def test_real_parentheticals_are_not_glosses():
    assert normalise("人工智能(AI)和企业资源计划（ERP）").text == "人工智能(AI)和企业资源计划（ERP）"


def test_full_width_letters_and_digits_fold_but_chinese_punctuation_stays():
    n = normalise("ＡＩ赋能，２０２５年《行动方案》（试行）")
    assert n.text == "AI赋能，2025年《行动方案》（试行）"


def test_ocr_broken_name_is_joined():
    # A newspaper column (corpus/004) breaks lines every ~20 characters, inside names.
    raw = (
        "现场，重庆康佳光电技术研究院有限公司、超高清视\n"
        "频（四川）制作技术协同中心、重庆赛宝工业技术研\n"
        "究院有限公司签署合作协议。\n"
    )
    n = normalise(raw)
    assert "超高清视频（四川）制作技术协同中心" in n.text
    assert "重庆赛宝工业技术研究院有限公司" in n.text
    s = n.text.index("重庆赛宝")
    e = s + len("重庆赛宝工业技术研究院有限公司")
    rs, re_ = n.span_to_raw(s, e)
    assert raw[rs:re_].replace("\n", "") == "重庆赛宝工业技术研究院有限公司"


def test_sentence_broken_across_a_blank_line_is_joined():
    raw = "在“渝快办”App上，可以便捷快速处理数十大类、数百\n\n项政务线上服务。\n"
    assert "数百项政务线上服务" in normalise(raw).text


def test_headings_and_finished_sentences_keep_their_line_breaks():
    raw = "一、指导思想\n以习近平新时代中国特色社会主义思想为指导。\n（一）强化组织领导\n统筹推进。\n各单位:\n"
    text = normalise(raw).text
    assert "一、指导思想\n以习近平" in text
    assert "指导。\n（一）强化组织领导\n统筹" in text


def test_normalise_name_is_the_scoring_normalisation():
    assert normalise_name("《綦江區建設方案》") == "綦江区建设方案"
    assert normalise_name("“渝快办”App") == "渝快办App"
    assert normalise_name("西部（重庆）科学城") == "西部(重庆)科学城"
    assert normalise_name("銅梁區(qū)") == "铜梁区"
    assert normalise_name(" 重庆 市 ") == "重庆市"
    assert normalise_name("「满天星」‘行动’") == "满天星行动"


_text = st.text(
    alphabet=st.sampled_from(list("重慶市區县镇村公司。，、（）()《》“”\n \tＡ１aZ9區(qū)")), max_size=60
)


@settings(max_examples=200, deadline=None)
@given(_text)
def test_every_clean_character_comes_from_its_raw_character(raw):
    n = normalise(raw)
    assert len(n.source) == len(n.text)
    assert list(n.source) == sorted(set(n.source))  # strictly increasing
    for i, ch in enumerate(n.text):
        src = raw[n.to_raw(i)]
        if src.isspace():
            assert ch.isspace()
        else:
            expected = to_simplified(src)
            folded = unicodedata.normalize("NFKC", expected)
            # only full-width letters and digits are folded; Chinese punctuation stays
            assert ch == (folded if folded.isascii() and folded.isalnum() else expected)


@settings(max_examples=200, deadline=None)
@given(_text, st.data())
def test_span_to_raw_covers_the_span(raw, data):
    n = normalise(raw)
    start = data.draw(st.integers(0, len(n.text)))
    end = data.draw(st.integers(start, len(n.text)))
    rs, re_ = n.span_to_raw(start, end)
    assert 0 <= rs <= re_ <= len(raw)
    assert re_ - rs >= end - start
    # Removing whitespace and glosses from the raw span and normalising gives the clean span.
    assert normalise_name(raw[rs:re_]) == normalise_name(n.text[start:end])


@settings(max_examples=100, deadline=None)
@given(_text)
def test_normalise_is_idempotent_on_text_without_line_breaks(raw):
    once = normalise(raw.replace("\n", "")).text
    assert normalise(once).text == once
