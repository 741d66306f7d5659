"""Assemble per-document results into one corpus graph.

The same entity named in several documents is merged on its key (``TYPE:name``,
see ``kg.resolve``); a relation stated in several documents keeps every piece of
evidence. Everything is sorted, so the same inputs give the same graph whatever
order the documents were processed in.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable

import networkx as nx

from kg.doc import DocResult, entity_key


@dataclass
class Evidence:
    doc: str
    text: str
    start: int
    end: int
    rule: str
    confidence: float


@dataclass
class CorpusEntity:
    key: str
    type: str
    name: str
    aliases: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)
    docs: list[str] = field(default_factory=list)
    # (doc, start, end, text, rule) for every mention, sorted
    mentions: list[tuple] = field(default_factory=list)


@dataclass
class CorpusRelation:
    head: str
    relation: str
    tail: str
    evidence: list[Evidence] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.head, self.relation, self.tail)


@dataclass
class Corpus:
    """The merged graph of a set of documents."""

    docs: list[DocResult]
    entities: dict[str, CorpusEntity]
    relations: dict[tuple[str, str, str], CorpusRelation]

    @classmethod
    def assemble(cls, results: Iterable[DocResult]) -> "Corpus":
        docs = sorted(results, key=lambda r: (r.doc, r.path))
        entities: dict[str, CorpusEntity] = {}
        relations: dict[tuple[str, str, str], CorpusRelation] = {}
        for res in docs:
            if res.status != "ok":
                continue
            for ent in res.entities:
                ce = entities.get(ent.key)
                if ce is None:
                    ce = entities[ent.key] = CorpusEntity(ent.key, ent.type, ent.name)
                names = set(ce.aliases) | set(ent.aliases) | {ent.name, ce.name}
                # the name the key was made from (the official form) names the entity
                # when some document writes it; otherwise the first document's name
                official = [n for n in names if entity_key(ce.type, n) == ce.key]
                ce.name = min(official) if official else ce.name
                ce.aliases = sorted(names - {ce.name})
                for k, v in sorted(ent.attrs.items()):
                    ce.attrs.setdefault(k, v)  # first document (by name) wins
                if res.doc not in ce.docs:
                    ce.docs.append(res.doc)
                ce.mentions.extend(
                    (res.doc, m.start, m.end, m.text, m.rule) for m in ent.mentions
                )
            for rel in res.relations:
                key = (rel.head, rel.relation, rel.tail)
                cr = relations.get(key)
                if cr is None:
                    cr = relations[key] = CorpusRelation(*key)
                for k, v in sorted(rel.attrs.items()):
                    cr.attrs.setdefault(k, v)
                cr.evidence.append(
                    Evidence(res.doc, rel.evidence, rel.start, rel.end, rel.rule, rel.confidence)
                )
        for ce in entities.values():
            ce.docs.sort()
            ce.mentions.sort()
        for cr in relations.values():
            cr.evidence.sort(key=lambda e: (e.doc, e.start, e.end, e.rule))
        return cls(
            docs=docs,
            entities=dict(sorted(entities.items())),
            relations=dict(sorted(relations.items())),
        )


def _scalar(value):
    """GraphML holds only scalars: lists become ' | '-joined strings."""
    if isinstance(value, (list, tuple)):
        return " | ".join(str(v) for v in value)
    if isinstance(value, dict):
        return " | ".join(f"{k}={v}" for k, v in sorted(value.items()))
    return value


def to_networkx(corpus: Corpus) -> nx.MultiDiGraph:
    """A NetworkX multigraph: one node per entity, one edge per (head, relation, tail).

    Node attributes: ``label`` (name), ``type``, ``aliases``, ``docs`` and every entity
    attribute (``code``, ``parent``, ``amount_cny`` ...). Edge key and ``relation``: the
    relation name; ``evidence``/``doc``: the first evidence sentence and its document;
    ``n_evidence``: how many sentences state it.
    """
    graph = nx.MultiDiGraph()
    for ent in corpus.entities.values():
        attrs = {k: _scalar(v) for k, v in ent.attrs.items()}
        graph.add_node(
            ent.key,
            label=ent.name,
            type=ent.type,
            aliases=_scalar(ent.aliases),
            docs=_scalar(ent.docs),
            **attrs,
        )
    for rel in corpus.relations.values():
        first = rel.evidence[0]
        graph.add_edge(
            rel.head,
            rel.tail,
            key=rel.relation,
            relation=rel.relation,
            evidence=first.text,
            doc=first.doc,
            n_evidence=len(rel.evidence),
            # every sentence that states it, for the viewer's side panel
            evidences=json.dumps([{"doc": e.doc, "text": e.text} for e in rel.evidence], ensure_ascii=False),
            confidence=max(e.confidence for e in rel.evidence),
            **{k: _scalar(v) for k, v in rel.attrs.items()},
        )
    return graph


def networkx_bytes(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    """``graph`` as GraphML or GEXF, the same bytes for the same graph."""
    import io
    import re

    from kg.errors import KgError

    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buf, encoding="utf-8")
        return buf.getvalue()
    if fmt == "gexf":
        nx.write_gexf(graph, buf, encoding="utf-8")
        # GEXF carries the day it was written; drop it so the same graph gives the same bytes.
        return re.sub(rb' lastmodifieddate="[^"]*"', b"", buf.getvalue())
    raise KgError(f"No NetworkX format {fmt!r}.", hint="Use graphml or gexf.")


def entities_table(corpus: Corpus) -> str:
    """``entities.csv``: one row per entity, however many documents name it."""
    import csv
    import io
    import json

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "type", "name", "aliases", "docs", "mentions", "attrs"])
    for ent in corpus.entities.values():
        writer.writerow([
            ent.key, ent.type, ent.name, " | ".join(ent.aliases), " | ".join(ent.docs),
            len(ent.mentions), json.dumps(ent.attrs, ensure_ascii=False, sort_keys=True) if ent.attrs else "",
        ])
    return out.getvalue()


def relations_table(corpus: Corpus) -> str:
    """``relations.csv``: one row per fact, with its first evidence and how many more."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["head", "relation", "tail", "head_name", "tail_name", "doc", "start", "end",
                     "evidence", "rule", "confidence", "n_evidence"])
    for rel in corpus.relations.values():
        ev = rel.evidence[0]
        writer.writerow([
            rel.head, rel.relation, rel.tail, corpus.entities[rel.head].name, corpus.entities[rel.tail].name,
            ev.doc, ev.start, ev.end, " ".join(ev.text.split()), ev.rule, ev.confidence, len(rel.evidence),
        ])
    return out.getvalue()
