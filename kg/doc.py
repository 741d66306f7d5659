"""The data that one document yields, in a form that survives a process boundary.

A spaCy ``Doc`` carries the document through the NLP stages (see ``kg.nlp``); at the
end of the pipeline it is flattened into a :class:`DocResult`: plain dataclasses that
serialise to JSON, so results can be cached, shipped between worker processes and
assembled into one graph by ``kg.graph``.

Offsets are character offsets into the *original* text of the document (before
normalisation), end exclusive.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kg.normalize import normalise_name

# The closed sets of the annotation guidelines.
ENTITY_TYPES = ("ORG", "DISTRICT", "PROJECT", "POLICY")
RELATIONS = (
    "locatedIn",
    "memberOf",
    "subOrganizationOf",
    "leads",
    "issuedBy",
    "implements",
    "invests",
    "develops",
    "partnerOf",
)
SYMMETRIC_RELATIONS = frozenset({"partnerOf"})


def entity_key(type_: str, name: str) -> str:
    """The identity of an entity across documents: its type and normalised name.

    >>> entity_key("ORG", "《重庆大学》 ")
    'ORG:重庆大学'
    """
    return f"{type_}:{normalise_name(name)}"


@dataclass(frozen=True, order=True)
class Mention:
    """One place where an entity is named."""

    start: int
    end: int
    text: str
    rule: str  # which component found it, e.g. "district_gazetteer", "ner"


@dataclass
class Entity:
    """An entity of one document, with every name the document uses for it.

    ``key`` is the identity used to merge the same entity across documents:
    ``TYPE:canonical-name`` (see ``kg.resolve.entity_key``).
    """

    key: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    # Typed attributes users filter on: district "code"/"parent"/"level",
    # policy "doc_number"/"issuer_code"/"year"/"serial", project "amount_cny" ...
    attrs: dict = field(default_factory=dict)


@dataclass
class Relation:
    """A typed fact between two entities of a document, with its evidence."""

    head: str  # Entity.key
    relation: str
    tail: str  # Entity.key
    evidence: str  # the sentence that states it, verbatim from the original text
    start: int  # offsets of the evidence in the original text
    end: int
    rule: str
    confidence: float
    attrs: dict = field(default_factory=dict)


@dataclass
class DocResult:
    """Everything extracted from one document, plus how it went."""

    doc: str  # file name, as in the gold files
    path: str
    sha256: str
    chars: int
    status: str = "ok"  # ok | skipped | failed
    reason: str = ""
    encoding: str = ""
    format: str = ""
    warnings: list[str] = field(default_factory=list)  # e.g. damaged bytes replaced
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    timings: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "DocResult":
        data = dict(data)
        data["entities"] = [
            Entity(**{**e, "mentions": [Mention(**m) for m in e["mentions"]]})
            for e in data.get("entities", [])
        ]
        data["relations"] = [Relation(**r) for r in data.get("relations", [])]
        return cls(**data)

    @classmethod
    def from_annotation(cls, data: dict, text: str = "", path: str = "") -> "DocResult":
        """A result from the annotation format (a gold file or a ``kg extract`` line).

        Evidence offsets are looked up in ``text`` when it is given (-1 when not found).
        """
        entities = []
        keys = {}
        for raw in data.get("entities", []):
            key = entity_key(raw["type"], raw["name"])
            keys[raw["name"]] = key
            for alias in raw.get("aliases", []):
                keys.setdefault(alias, key)
            entities.append(
                Entity(key, raw["type"], raw["name"], list(raw.get("aliases", [])), attrs=dict(raw.get("attrs", {})))
            )
        relations = []
        for raw in data.get("relations", []):
            if raw["head"] not in keys or raw["tail"] not in keys:
                continue  # an end that is not an entity of the document
            start = text.find(raw.get("evidence", "")) if text else -1
            end = start + len(raw.get("evidence", "")) if start >= 0 else -1
            relations.append(
                Relation(keys[raw["head"]], raw["relation"], keys[raw["tail"]], raw.get("evidence", ""),
                         start, end, raw.get("rule", "annotation"), float(raw.get("confidence", 1.0)))
            )
        return cls(doc=data["doc"], path=path or data["doc"], sha256="", chars=len(text),
                   entities=entities, relations=relations)

    def entity(self, key: str) -> Entity | None:
        for ent in self.entities:
            if ent.key == key:
                return ent
        return None

    def to_annotation(self) -> dict:
        """The shape of ``GUIDELINES.md`` (what ``kg extract`` prints)."""
        names = {e.key: e.name for e in self.entities}
        return {
            "doc": self.doc,
            "entities": [
                {"type": e.type, "name": e.name, "aliases": list(e.aliases), "attrs": e.attrs}
                for e in self.entities
            ],
            "relations": [
                {
                    "head": names[r.head],
                    "relation": r.relation,
                    "tail": names[r.tail],
                    "evidence": r.evidence,
                    "start": r.start,
                    "end": r.end,
                    "rule": r.rule,
                    "confidence": r.confidence,
                }
                for r in self.relations
            ],
        }
