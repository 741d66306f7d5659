"""``kg_overlap_resolver``: turn the overlapping candidates into the final ``doc.ents``.

The one rule: **the longest candidate wins**; at equal length the higher ``priority`` wins, then
the earlier one. A candidate that overlaps or nests inside a winner is dropped. So a district or
a policy title written inside an organisation's or a notice's name (重庆市綦江区科学技术局,
关于印发《…》的通知) is part of that name and not a separate mention, and when two rules disagree
on where a name starts, the one that reads the longer name is kept.

Rule-based boundaries need not fall on the segmenter's tokens (jieba may glue 局关于 together),
so tokens that straddle a chosen boundary are split first: every final mention keeps exactly
the characters its rule chose.
"""
from __future__ import annotations

from bisect import bisect_right

from spacy.language import Language
from spacy.tokens import Doc

from kg.nlp.boundaries import doc_text, token_table
from kg.nlp.candidates import Candidate, candidates


def choose(cands: list[Candidate]) -> list[Candidate]:
    """The non-overlapping winners, in text order (see the module docstring)."""
    ranked = sorted(cands, key=lambda c: (-c.length, -c.priority, c.start, c.label))
    taken = bytearray(max((c.end for c in cands), default=0))
    chosen = []
    for c in ranked:
        if any(taken[c.start : c.end]):
            continue
        taken[c.start : c.end] = b"\x01" * c.length
        chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def split_tokens_at(doc: Doc, offsets: set[int]) -> None:
    """Split every token that has one of ``offsets`` strictly inside it."""
    if not len(doc):
        return
    starts, words = token_table(doc)
    cuts_by_token: dict[int, list[int]] = {}
    for o in offsets:
        i = bisect_right(starts, o) - 1
        if i >= 0 and starts[i] < o < starts[i] + len(words[i]):
            cuts_by_token.setdefault(i, []).append(o)
    plan = []
    text = doc_text(doc)
    for i, cuts in sorted(cuts_by_token.items()):
        start, end = starts[i], starts[i] + len(words[i])
        bounds = [start, *sorted(cuts), end]
        plan.append((doc[i], [text[a:b] for a, b in zip(bounds, bounds[1:])]))
    if not plan:
        return
    with doc.retokenize() as retokenizer:
        for token, orths in plan:
            retokenizer.split(token, orths, heads=[(token, 0)] * len(orths))


class OverlapResolver:
    """Sets ``doc.ents`` (ORG/DISTRICT/PROJECT/POLICY) from ``doc._.kg_candidates``."""

    def __init__(self, nlp: Language, name: str):
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        chosen = choose([self._trimmed(text, c) for c in candidates(doc)])
        chosen = [c for c in chosen if c.end > c.start]
        split_tokens_at(doc, {o for c in chosen for o in (c.start, c.end)})
        ents = []
        for c in chosen:
            span = doc.char_span(c.start, c.end, label=c.label)
            if span is None:  # pragma: no cover - tokens were just split at these offsets
                span = doc.char_span(c.start, c.end, label=c.label, alignment_mode="expand")
            span._.kg_rule = c.rule
            span._.kg_attrs = dict(c.attrs)
            ents.append(span)
        doc.set_ents(ents, default="outside")
        return doc

    @staticmethod
    def _trimmed(full_text: str, c: Candidate) -> Candidate:
        text = full_text[c.start : c.end]
        lead = len(text) - len(text.lstrip())
        trail = len(text) - len(text.rstrip())
        if lead or trail:
            c.start, c.end = c.start + lead, c.end - trail
        return c


@Language.factory(
    "kg_overlap_resolver",
    assigns=["doc.ents", "span._.kg_rule", "span._.kg_attrs"],
    requires=["doc._.kg_candidates"],
)
def make_overlap_resolver(nlp: Language, name: str) -> OverlapResolver:
    """Longest candidate wins; nested and overlapping candidates are dropped."""
    return OverlapResolver(nlp, name)
