"""The mentions the rulers propose, before overlaps are resolved."""
from __future__ import annotations

from dataclasses import dataclass, field

from spacy.tokens import Doc

from kg.nlp import extensions  # noqa: F401  (declares Doc._.kg_candidates)

ENTITY_LABELS = ("ORG", "DISTRICT", "PROJECT", "POLICY")


@dataclass
class Candidate:
    """A proposed mention: character offsets into ``doc.text``, end exclusive.

    ``priority`` breaks ties between candidates of equal length (higher wins): a gazetteer hit
    outranks a suffix guess, a statistical guess ranks lowest.
    """

    start: int
    end: int
    label: str
    rule: str
    priority: int = 0
    attrs: dict = field(default_factory=dict)

    @property
    def length(self) -> int:
        return self.end - self.start


def candidates(doc: Doc) -> list[Candidate]:
    """The candidate list of ``doc``, created on first use."""
    if doc._.kg_candidates is None:
        doc._.kg_candidates = []
    return doc._.kg_candidates


def add(doc: Doc, cand: Candidate) -> None:
    """Propose ``cand`` unless it is empty or an identical proposal exists."""
    if cand.end <= cand.start or cand.label not in ENTITY_LABELS:
        return
    pool = candidates(doc)
    for other in pool:
        if (other.start, other.end, other.label) == (cand.start, cand.end, cand.label):
            if cand.priority > other.priority:
                other.rule, other.priority, other.attrs = cand.rule, cand.priority, cand.attrs
            return
    pool.append(cand)


def of_label(doc: Doc, label: str) -> list[Candidate]:
    return [c for c in candidates(doc) if c.label == label]
