"""The kg entity pipeline: spaCy components that find ORG, DISTRICT, PROJECT and POLICY mentions.

>>> from kg import nlp
>>> pipeline = nlp.load()                      # cached per process
>>> doc = pipeline("重庆市科技局在綦江区启动“满天星”行动计划")
>>> [(e.text, e.label_) for e in doc.ents]     # doctest: +SKIP

Result contract (what the resolution and relation stages read):

* ``doc.ents``: final, non-overlapping mentions labelled ORG, DISTRICT, PROJECT or POLICY;
* ``doc.sents``: sentences (``kg_sentences``);
* ``Span._.kg_rule`` / ``Span._.kg_attrs``: see :mod:`kg.nlp.extensions`.

The pipeline is described in ``kg/nlp/pipeline.cfg``: ``spacy.blank("zh")`` with the jieba
segmenter, then kg's components; the organisation ruler consults the trained NER model in
``kg/models/ner`` where the rules leave gaps (rules only when the model is missing).
"""
from __future__ import annotations

import threading
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from thinc.api import Config

# Importing the modules registers the factories.
from kg.nlp import districts, orgs, overlaps, policies, projects, sentences  # noqa: F401
from kg.nlp.extensions import register_extensions

__all__ = ["load", "recognise", "DEFAULT_CONFIG", "ENTITY_LABELS"]

DEFAULT_CONFIG = Path(__file__).resolve().parent / "pipeline.cfg"
ENTITY_LABELS = ("ORG", "DISTRICT", "PROJECT", "POLICY")
_cache: dict[str, Language] = {}
_lock = threading.Lock()


def _base_pipeline(base: dict) -> Language:
    nlp = spacy.blank(base.get("lang", "zh"), config={"nlp": {"tokenizer": {"segmenter": base.get("segmenter", "jieba")}}})
    nlp.tokenizer = _TextKeepingTokenizer(nlp.tokenizer)
    return nlp


class _TextKeepingTokenizer:
    """spaCy's jieba tokenizer, keeping each doc's text in ``doc.user_data`` for
    :func:`kg.nlp.boundaries.doc_text`: spaCy rebuilds ``doc.text`` from every token on each
    access, which cost as much as the rules on long documents.

    The tokens are spaCy's (a space after a word is the word's trailing whitespace, other
    whitespace a token of its own); they are aligned with the text by searching forward from
    the last word instead of spaCy's slicing of the rest of the text for every word, which
    took a quarter of the tokenizer's time on long documents."""

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.vocab = tokenizer.vocab

    def __call__(self, text: str) -> Doc:
        if getattr(self.tokenizer, "segmenter", None) != "jieba":
            doc = self.tokenizer(text)
        else:
            words, spaces = _align(self.tokenizer.jieba_seg.cut(text, cut_all=False), text)
            doc = Doc(self.vocab, words=words, spaces=spaces)
        doc.user_data["kg_text"] = text
        return doc


def _align(segments, text: str) -> tuple[list[str], list[bool]]:
    """spaCy's words and trailing-space flags for the ``segments`` of ``text``."""
    words: list[str] = []
    spaces: list[bool] = []
    pos, end = 0, len(text)
    for word in segments:
        if not word or word.isspace():
            continue
        found = text.find(word, pos)
        if found < 0:
            raise ValueError(f"the segmenter's word {word!r} is not in the text after offset {pos}")
        if found > pos:  # whitespace the segmenter skipped or did not split off
            words.append(text[pos:found])
            spaces.append(False)
        words.append(word)
        spaces.append(False)
        pos = found + len(word)
        if pos < end and text[pos] == " ":
            spaces[-1] = True
            pos += 1
    if pos < end:
        words.append(text[pos:])
        spaces.append(False)
    return words, spaces


def build(config_path: str | Path = DEFAULT_CONFIG) -> Language:
    """A new pipeline built from ``config_path`` (not cached; see :func:`load`)."""
    register_extensions()
    config = Config().from_disk(config_path)
    nlp = _base_pipeline(dict(config.get("base", {})))
    components = config["pipeline"]["components"]
    for name in components:
        settings = dict(config.get("components", {}).get(name, {}) or {})
        nlp.add_pipe(name, name=name, config=settings)
    return nlp


def load(config_path: str | Path = DEFAULT_CONFIG) -> Language:
    """The entity pipeline described by ``config_path``, built once per process.

    Args:
        config_path (str | Path): pipeline description, default ``kg/nlp/pipeline.cfg``.
    RETURNS (Language): a spaCy pipeline; call it on normalised text.
    """
    key = str(Path(config_path).resolve())
    with _lock:
        if key not in _cache:
            _cache[key] = build(config_path)
        return _cache[key]


def recognise(text: str) -> list[tuple[int, int, str]]:
    """Entity mentions of a raw text as ``(start, end, label)`` in raw offsets, end exclusive.

    The text is normalised first (:func:`kg.normalize.normalise`); offsets are mapped back.
    """
    from kg.normalize import normalise

    norm = normalise(text)
    doc = load()(norm.text)
    out = []
    for ent in doc.ents:
        if ent.label_ in ENTITY_LABELS:
            start, end = norm.span_to_raw(ent.start_char, ent.end_char)
            out.append((start, end, ent.label_))
    return out
