"""The shipped statistical NER model (kg/models/ner) loads offline and finds organisations.

The sentences come from the public data sets' evaluation splits (CLUENER2020 dev, People's
Daily test), which the model was not trained on; the expected spans are those data sets' own
gold annotations, not output of the model.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
import spacy

MODEL_DIR = Path(__file__).resolve().parent.parent / "kg" / "models" / "ner"

# (sentence, gold ORG mentions), with the data set each sentence and its gold come from.
HELD_OUT_SENTENCES = [
    # CLUENER dev.json line 11, government
    (
        "根据北京市消防局的说法，此次火灾主要原因是责任单位违规燃放礼花弹，燃放期间民警多次劝阻未果。",
        {"北京市消防局"},
    ),
    # CLUENER dev.json line 94, government + company
    (
        "中国内地邮票由原来国家邮政局改成由现在的中国邮政集团公司印制发行，从此政企分开，",
        {"国家邮政局", "中国邮政集团公司"},
    ),
    # CLUENER dev.json line 100, government
    (
        "公安部经济犯罪侦查局副局长张涛在接受《法制日报》记者采访时说，上面的案例并非个案，",
        {"公安部经济犯罪侦查局"},
    ),
    # People's Daily example.test sentence 150, local government body
    (
        "陕西省铜川市商务局一位叫张宝玲的下岗女工在培训结束时，赊账购置了1万多元的汽车护理用品。",
        {"陕西省铜川市商务局"},
    ),
    # People's Daily example.test sentence 119, company
    (
        "金田集团向县政府递交了请求兼并蔡塘村的“工程建议书”报告，很快，报告就得到批准。",
        {"金田集团"},
    ),
]


@pytest.fixture(scope="module")
def nlp():
    """Load the model with outbound connections forbidden, proving it needs no download."""
    real_connect = socket.socket.connect

    def refuse(self, address):
        raise AssertionError(f"model tried to open a network connection to {address!r}")

    socket.socket.connect = refuse
    try:
        model = spacy.load(MODEL_DIR)
        model("预热")  # jieba builds its dictionary on first use: also offline
    finally:
        socket.socket.connect = real_connect
    return model


def test_model_is_a_jieba_zh_pipeline_with_org(nlp) -> None:
    assert nlp.lang == "zh"
    assert nlp.config["nlp"]["tokenizer"]["segmenter"] == "jieba"
    assert "ORG" in nlp.get_pipe("ner").labels


@pytest.mark.parametrize("model_dir", [MODEL_DIR, MODEL_DIR.with_name("ner-screen")], ids=["ner", "ner-screen"])
def test_model_directory_is_small_and_has_no_training_leftovers(model_dir: Path) -> None:
    files = [p for p in model_dir.rglob("*") if p.is_file()]
    assert files and sum(p.stat().st_size for p in files) < 50 * 1024 * 1024
    assert not any(
        p.name in {"optimizer", "model-last", "model-best"}
        for p in model_dir.rglob("*")
    )


@pytest.mark.parametrize(("sentence", "gold_orgs"), HELD_OUT_SENTENCES)
def test_finds_gold_organisations_in_held_out_sentences(
    nlp, sentence: str, gold_orgs: set[str]
) -> None:
    found = {
        (ent.text, ent.start_char) for ent in nlp(sentence).ents if ent.label_ == "ORG"
    }
    expected = {(name, sentence.index(name)) for name in gold_orgs}
    assert expected <= found


def test_a_sentence_without_organisations_yields_none(nlp) -> None:
    # People's Daily example.test, first sentence: only places (欧, 美, 港, 台) are annotated.
    sentence = "我们变而以书会友，以书结缘，把欧美、港台流行的食品类图谱、画册、工具书汇集一堂。"
    assert [ent.text for ent in nlp(sentence).ents if ent.label_ == "ORG"] == []


def test_output_is_deterministic(nlp) -> None:
    sentence = HELD_OUT_SENTENCES[1][0]
    first = [(e.start_char, e.end_char, e.label_) for e in nlp(sentence).ents]
    assert first == [(e.start_char, e.end_char, e.label_) for e in nlp(sentence).ents]


def test_kg_loads_the_model_on_numpy_blas_with_the_same_predictions(nlp) -> None:
    """kg runs the model's matrix products on numpy's BLAS instead of thinc's blis kernels
    (about three times faster on one core): the entities must not change."""
    from kg.nlp.orgs import _load_model

    fast = _load_model(str(MODEL_DIR))
    tok2vec_ops = {type(node.ops).__name__ + str(getattr(node.ops, "use_blis", "")) for node in fast.get_pipe("tok2vec").model.walk()}
    assert tok2vec_ops == {"NumpyOpsFalse"}
    corpus = Path(__file__).resolve().parent.parent / "corpus"
    texts = [s for s, _ in HELD_OUT_SENTENCES]
    texts += [line for p in sorted(corpus.glob("*.txt")) for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
    for slow_doc, fast_doc in zip(nlp.pipe(texts), fast.pipe(texts)):
        assert [(e.start_char, e.end_char, e.label_) for e in slow_doc.ents] == [
            (e.start_char, e.end_char, e.label_) for e in fast_doc.ents
        ]
