"""Build spaCy docs with given entity mentions, to test resolution and relations alone."""
from __future__ import annotations

import spacy

import kg.nlp.sentences  # noqa: F401  (registers kg_sentences)
from kg.nlp import extensions  # noqa: F401

_NLP = None


def make_doc(text: str, mentions: list[tuple[str, str]], attrs: dict | None = None):
    """A doc of ``text`` whose ``doc.ents`` are the first occurrences (left to right,
    non-overlapping) of each ``(surface, label)``; ``attrs`` maps a surface to its
    ``Span._.kg_attrs``."""
    global _NLP
    if _NLP is None:
        _NLP = spacy.blank("zh")  # character tokens: every mention aligns
        _NLP.add_pipe("kg_sentences")
    doc = _NLP(text)
    spans, taken = [], set()
    for surface, label in mentions:
        start = text.find(surface)
        while start >= 0 and taken & set(range(start, start + len(surface))):
            start = text.find(surface, start + 1)
        assert start >= 0, surface
        taken |= set(range(start, start + len(surface)))
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None, surface
        spans.append(span)
    doc.ents = sorted(spans, key=lambda s: s.start)
    for span in doc.ents:
        span._.kg_attrs = dict((attrs or {}).get(span.text, {}))
        span._.kg_rule = "test"
    return doc
