"""The assembled pipeline: contract of doc.ents / doc.sents / extensions, overlaps, OCR input."""
from __future__ import annotations

from pathlib import Path

import kg.nlp
from kg.nlp.candidates import Candidate
from kg.nlp.overlaps import choose
from kg.normalize import normalise

CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def test_longest_candidate_wins_then_priority():
    cands = [
        Candidate(0, 3, "DISTRICT", "d", 30),
        Candidate(0, 10, "ORG", "o", 20),
        Candidate(8, 14, "PROJECT", "p", 15),
        Candidate(12, 16, "POLICY", "a", 10),
        Candidate(12, 16, "ORG", "b", 20),
    ]
    assert [(c.start, c.end, c.label) for c in choose(cands)] == [(0, 10, "ORG"), (12, 16, "ORG")]


def test_labels_sentences_and_extensions(nlp):
    doc = nlp(normalise("重庆市科技局印发《重庆市科技创新行动方案》。綦江区启动“满天星”行动计划！\n标题").text)
    assert {e.label_ for e in doc.ents} <= {"ORG", "DISTRICT", "PROJECT", "POLICY"}
    assert [s.text for s in doc.sents] == ["重庆市科技局印发《重庆市科技创新行动方案》。", "綦江区启动“满天星”行动计划！\n", "标题"]
    for e in doc.ents:
        assert isinstance(e._.kg_rule, str) and isinstance(e._.kg_attrs, dict)
    spans = sorted((e.start_char, e.end_char) for e in doc.ents)
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:]))


def test_ocr_broken_names_are_found_whole(ents):
    raw = "现场，重庆康佳光电技术研究院有限公司、超高清视\n频（四川）制作技术协同中心、重庆赛宝工业技术研\n究院有限公司签署协议。\n"
    found = ents(raw)
    assert ("重庆赛宝工业技术研究院有限公司", "ORG") in found
    assert ("重庆康佳光电技术研究院有限公司", "ORG") in found


def test_traditional_input_through_recognise():
    raw = "重慶市綦江區科學技術局印發《綦江區建設新一代人工智能創新發展試驗區實施方案》"
    spans = kg.nlp.recognise(raw)
    assert (0, 11, "ORG") in spans  # raw offsets, traditional characters
    assert raw[slice(*[s[:2] for s in spans if s[2] == "POLICY"][0])] == "綦江區建設新一代人工智能創新發展試驗區實施方案"


def test_load_is_cached():
    assert kg.nlp.load() is kg.nlp.load()


def test_corpus_document_mentions(nlp):
    text = normalise((CORPUS / "001_4da70ff46b325a5a.txt").read_text(encoding="utf-8")).text
    found = {(e.text, e.label_) for e in nlp(text).ents}
    assert ("渝府办发〔2020〕78号", "POLICY") in found
    assert ("重庆市建设国家新一代人工智能创新发展试验区实施方案", "POLICY") in found
    assert ("自贡市", "DISTRICT") in found and ("遵义市", "DISTRICT") in found


def _stand_in_model(tmp_path, patterns: list[str]):
    """A saved spaCy pipeline whose entity ruler plays the statistical NER: it tags ``patterns``
    as ORG, like a model that learned them (names and phrases alike)."""
    import spacy
    from thinc.api import Config

    model = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    model.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": p} for p in patterns])
    model.to_disk(tmp_path / "ner")
    config = Config().from_disk(kg.nlp.DEFAULT_CONFIG)
    config["components"]["kg_org_ruler"]["statistical_model"] = str(tmp_path / "ner")
    config["components"]["kg_org_ruler"]["screening_model"] = ""  # the stand-in reads every window
    config.to_disk(tmp_path / "pipeline.cfg")
    return kg.nlp.build(tmp_path / "pipeline.cfg")


def _texts_read_by(model) -> list[str]:
    """The texts ``model.pipe`` is given from now on, in order."""
    read = []
    original = model.pipe

    def recording_pipe(docs, **kwargs):
        docs = list(docs)
        read.extend(d.text for d in docs)
        return original(docs, **kwargs)

    model.pipe = recording_pipe
    return read


def test_statistical_model_is_used_when_present(tmp_path):
    """The saved spaCy pipeline at kg_org_ruler's ``statistical_model``: its ORG entities join
    the candidates when the rules leave room for them."""
    nlp = _stand_in_model(tmp_path, ["博拉网络", "上海抖音"])
    assert nlp.get_pipe("kg_org_ruler").model.pipe_names == ["entity_ruler"]
    doc = nlp("西部（重庆）科学城签约博拉网络，共建重庆大学实验室。上海抖音将建设运营中心。")
    found = {(e.text, e.label_, e._.kg_rule) for e in doc.ents}
    assert ("博拉网络", "ORG", "kg_org_ruler:ner") in found
    # a district at the start of a statistical name is part of it
    assert ("上海抖音", "ORG", "kg_org_ruler:ner") in found
    assert ("西部（重庆）科学城", "DISTRICT", "kg_district_ruler:zone") in found


def test_statistical_phrases_and_clashes_are_dropped(tmp_path):
    """What the news-trained model tags on policy text but is no name: descriptions made of
    common words (cluener-style errors seen on gov_policy_docs_env50), spans ending in a
    function word, and spans that cross or swallow a rule's mention."""
    nlp = _stand_in_model(tmp_path, ["新兴产业", "家用电器", "本届智博会", "招商组由", "驻重庆(西部)电子电路产业园"])
    doc = nlp("培育新兴产业和家用电器。本届智博会上，招商组由此前往驻重庆(西部)电子电路产业园调研。")
    assert not [e.text for e in doc.ents if e._.kg_rule == "kg_org_ruler:ner"]


def test_statistical_model_reads_only_windows_around_possible_names(tmp_path):
    """The model is the slowest step: it reads a window around each word a kept name can
    start with (unknown to jieba or a proper noun, outside the rules' mentions), nothing else;
    what it finds there is kept as when it read everything."""
    nlp = _stand_in_model(tmp_path, ["博拉网络"])
    seen = _texts_read_by(nlp.get_pipe("kg_org_ruler").model)
    plain = "我们要坚持稳中求进工作总基调，扎实推进高质量发展。"
    named = "各方签约博拉网络，共建数据平台，推动经济高质量发展，持续扩大国内需求，稳定就业。"
    doc = nlp(plain + named)
    assert ("博拉网络", "ORG") in {(e.text, e.label_) for e in doc.ents}
    assert len(seen) == 1 and "博拉" in seen[0]
    assert seen[0] in named and len(seen[0]) < len(named)  # a window, not the sentence


def test_statistical_names_cut_by_a_window_edge_are_dropped(tmp_path):
    """A name the model reads up to the edge of its window may go on beyond it (智慧城市管理大
    for 智慧城市管理大脑): kept only where the window edge is the sentence's own."""
    import spacy
    from spacy.language import Language
    from spacy.tokens import Span
    from thinc.api import Config

    @Language.component("kg_test_tags_from_bola_to_the_end")
    def tags_to_the_end(doc):
        # a model that over-reaches: from 博拉 to the last word it was given
        first = next((t.i for t in doc if t.text == "博拉"), None)
        if first is not None:
            last = len(doc)
            while last > first + 1 and not doc[last - 1].text.isalnum():
                last -= 1
            doc.ents = [Span(doc, first, last, label="ORG")]
        return doc

    model = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    model.add_pipe("kg_test_tags_from_bola_to_the_end")
    model.to_disk(tmp_path / "ner")
    config = Config().from_disk(kg.nlp.DEFAULT_CONFIG)
    config["components"]["kg_org_ruler"]["statistical_model"] = str(tmp_path / "ner")
    config["components"]["kg_org_ruler"]["screening_model"] = ""
    config.to_disk(tmp_path / "pipeline.cfg")
    nlp = kg.nlp.build(tmp_path / "pipeline.cfg")

    def statistical(text):
        return [e.text for e in nlp(text).ents if e._.kg_rule == "kg_org_ruler:ner"]

    assert statistical("我们签约博拉网络。") == ["博拉网络"]  # the window holds the whole sentence
    # the window ends at 总体规划, the sentence goes on: the name may too
    long_sentence = "我们签约博拉网络信息技术研究开发总体规划的重要内容，稳定就业。"
    assert statistical(long_sentence) == []


def test_tokens_are_spacy_jieba_tokens():
    """kg's tokenizer aligns jieba's words with the text itself (faster on long documents):
    the tokens and their whitespace must be those of spaCy's own jieba tokenizer."""
    import spacy

    spacy_tokenizer = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}}).tokenizer
    kg_tokenizer = kg.nlp.load().tokenizer
    corpus = Path(__file__).resolve().parents[2] / "corpus"
    texts = [p.read_text(encoding="utf-8") for p in sorted(corpus.glob("*.txt"))]
    texts += ["", " ", "  两个空格  ", "\n\n重庆市 科技局\t发布\u3000通知 ", "Hello  world  重庆", " 首 尾 "]
    for text in texts:
        expected = [(t.text, t.whitespace_) for t in spacy_tokenizer(text)]
        doc = kg_tokenizer(text)
        assert [(t.text, t.whitespace_) for t in doc] == expected
        assert doc.text == text


def test_the_large_model_reads_only_the_windows_the_screening_model_flags(tmp_path):
    """Two models: the screening one reads every window, the large one only those where the
    screening one sees an organisation, and what the large one finds is what is kept."""
    import spacy
    from thinc.api import Config

    def saved(folder, patterns):
        model = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
        model.add_pipe("entity_ruler").add_patterns([{"label": "ORG", "pattern": p} for p in patterns])
        model.to_disk(tmp_path / folder)
        return str(tmp_path / folder)

    config = Config().from_disk(kg.nlp.DEFAULT_CONFIG)
    # the screen sees 博拉 as an organisation; the large model reads the name in full
    config["components"]["kg_org_ruler"]["screening_model"] = saved("screen", ["博拉"])
    config["components"]["kg_org_ruler"]["statistical_model"] = saved("ner", ["博拉网络", "旷视科技"])
    config.to_disk(tmp_path / "pipeline.cfg")
    nlp = kg.nlp.build(tmp_path / "pipeline.cfg")
    read = _texts_read_by(nlp.get_pipe("kg_org_ruler").model)
    doc = nlp("各方签约博拉网络，共建数据平台。旷视科技发布新模型。")
    statistical = {e.text for e in doc.ents if e._.kg_rule == "kg_org_ruler:ner"}
    assert statistical == {"博拉网络"}  # 旷视科技 opens a window too, but the screen does not flag it
    assert len(read) == 1 and "博拉" in read[0] and "旷视" not in read[0]


def test_word_classes_are_cached_and_a_damaged_cache_is_read_again(tmp_path, monkeypatch):
    """jieba's dictionary is read once and its word classes kept in the user's cache folder;
    a damaged or unwritable cache falls back to reading the dictionary, with the same classes."""
    from kg.nlp import lexicon

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    lexicon._dictionary.cache_clear()
    try:
        tags, functions = lexicon._dictionary()
        cached = list((tmp_path / "cache" / "kg").glob("lexicon-*.marshal"))
        assert len(cached) == 1
        assert tags["招商银行"] == "nt" and "除" in functions  # classes read from jieba's dict.txt
        cached[0].write_bytes(b"not a cache")
        lexicon._dictionary.cache_clear()
        assert lexicon._dictionary() == (tags, functions)
        monkeypatch.setenv("XDG_CACHE_HOME", "/proc/no-such-folder")  # cannot be written
        lexicon._dictionary.cache_clear()
        assert lexicon._dictionary() == (tags, functions)
    finally:
        lexicon._dictionary.cache_clear()
