"""Score extracted graphs against gold graphs, exactly as ``GUIDELINES.md`` defines it.

Per document, then micro-averaged over documents:

* names are compared after :func:`kg.normalize.normalise_name`;
* a predicted entity matches a gold entity of the same type when its name equals the
  gold name or a gold alias, or the gold name equals one of its aliases; matching is
  one-to-one and greedy, exact-name matches first;
* a predicted relation matches a gold relation with the same name whose head and tail
  entities match under the entity rule (``partnerOf`` in either direction).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from kg.doc import ENTITY_TYPES, RELATIONS, SYMMETRIC_RELATIONS
from kg.errors import KgError
from kg.normalize import normalise_name


@dataclass
class _Ent:
    type: str
    name: str
    names: frozenset[str]  # normalised name and aliases
    aliases: frozenset[str]  # normalised aliases only


def _entity(raw: dict) -> _Ent:
    name = normalise_name(raw["name"])
    aliases = frozenset(normalise_name(a) for a in raw.get("aliases", []) or [])
    return _Ent(raw["type"], name, aliases | {name}, aliases)


def entities_match(pred: _Ent, gold: _Ent) -> bool:
    """The entity rule of the guidelines."""
    return pred.type == gold.type and (pred.name in gold.names or gold.name in pred.aliases)


@dataclass
class Counts:
    tp: int = 0
    pred: int = 0
    gold: int = 0

    def add(self, other: "Counts") -> None:
        self.tp += other.tp
        self.pred += other.pred
        self.gold += other.gold

    @property
    def precision(self) -> float:
        return self.tp / self.pred if self.pred else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.gold if self.gold else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "pred": self.pred,
            "gold": self.gold,
        }


@dataclass
class Score:
    entities: dict[str, Counts] = field(default_factory=dict)  # "ALL" and per type
    relations: dict[str, Counts] = field(default_factory=dict)  # "ALL" and per relation
    docs: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # gold docs with no prediction

    def as_dict(self) -> dict:
        return {
            "docs": self.docs,
            "missing_predictions": self.missing,
            "entities": {k: v.as_dict() for k, v in self.entities.items()},
            "relations": {k: v.as_dict() for k, v in self.relations.items()},
        }


def _greedy(preds: list, golds: list, exact, loose) -> list[tuple[int, int]]:
    """One-to-one matching: pairs passing ``exact`` first, then pairs passing ``loose``."""
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for test in (exact, loose):
        for i, p in enumerate(preds):
            if i in used_p:
                continue
            for j, g in enumerate(golds):
                if j not in used_g and test(p, g):
                    used_p.add(i)
                    used_g.add(j)
                    pairs.append((i, j))
                    break
    return pairs


def score_document(pred: dict, gold: dict) -> tuple[dict[str, Counts], dict[str, Counts]]:
    """Entity and relation counts of one document, keyed by type / relation."""
    p_ents = [_entity(e) for e in pred.get("entities", []) if e.get("type") in ENTITY_TYPES]
    g_ents = [_entity(e) for e in gold.get("entities", [])]
    ent_counts = {t: Counts() for t in ENTITY_TYPES}
    for e in p_ents:
        ent_counts[e.type].pred += 1
    for e in g_ents:
        ent_counts[e.type].gold += 1
    pairs = _greedy(
        p_ents,
        g_ents,
        lambda p, g: p.type == g.type and p.name == g.name,
        entities_match,
    )
    for i, _ in pairs:
        ent_counts[p_ents[i].type].tp += 1

    def lookup(ents: list[_Ent], name: str) -> list[_Ent]:
        """The document's entities a relation end names (by name first, then alias)."""
        n = normalise_name(name)
        by_name = [e for e in ents if e.name == n]
        return by_name or [e for e in ents if n in e.names]

    def end_matches(p_name: str, g_name: str) -> bool:
        # An end that is not an entity of the prediction has no type: it matches nothing.
        return any(
            entities_match(pe, ge) for pe in lookup(p_ents, p_name) for ge in lookup(g_ents, g_name)
        )

    def rel_matches(p: dict, g: dict) -> bool:
        if p["relation"] != g["relation"]:
            return False
        if end_matches(p["head"], g["head"]) and end_matches(p["tail"], g["tail"]):
            return True
        return p["relation"] in SYMMETRIC_RELATIONS and (
            end_matches(p["head"], g["tail"]) and end_matches(p["tail"], g["head"])
        )

    p_rels = [r for r in pred.get("relations", []) if r.get("relation") in RELATIONS]
    # Duplicate predictions of one fact count once: a graph holds a triple once.
    seen = set()
    unique = []
    for r in p_rels:
        k = (normalise_name(r["head"]), r["relation"], normalise_name(r["tail"]))
        if r["relation"] in SYMMETRIC_RELATIONS:
            k = (min(k[0], k[2]), k[1], max(k[0], k[2]))
        if k not in seen:
            seen.add(k)
            unique.append(r)
    p_rels = unique
    g_rels = gold.get("relations", [])
    rel_counts = {r: Counts() for r in RELATIONS}
    for r in p_rels:
        rel_counts[r["relation"]].pred += 1
    for r in g_rels:
        rel_counts[r["relation"]].gold += 1
    def exact_rel(p: dict, g: dict) -> bool:
        same_names = (normalise_name(p["head"]), normalise_name(p["tail"])) == (
            normalise_name(g["head"]), normalise_name(g["tail"]))
        return same_names and rel_matches(p, g)

    for i, _ in _greedy(p_rels, g_rels, exact_rel, rel_matches):
        rel_counts[p_rels[i]["relation"]].tp += 1
    return ent_counts, rel_counts


def score(preds: Iterable[dict], golds: Iterable[dict]) -> Score:
    """Micro-averaged scores of predictions against gold, matched on ``doc``.

    Gold documents without a prediction count as predicted empty (all gold missed);
    predictions for documents without gold are ignored.
    """
    pred_by_doc = {}
    for p in preds:  # a document found in a sub-folder ("2023/a.txt") also answers to "a.txt"
        pred_by_doc[p["doc"]] = p
        pred_by_doc.setdefault(p["doc"].rsplit("/", 1)[-1], p)
    result = Score(
        entities={k: Counts() for k in ("ALL", *ENTITY_TYPES)},
        relations={k: Counts() for k in ("ALL", *RELATIONS)},
    )
    for gold in sorted(golds, key=lambda g: g["doc"]):
        pred = pred_by_doc.get(gold["doc"])
        if pred is None:
            result.missing.append(gold["doc"])
            pred = {"doc": gold["doc"], "entities": [], "relations": []}
        result.docs.append(gold["doc"])
        ents, rels = score_document(pred, gold)
        for k, c in ents.items():
            result.entities[k].add(c)
            result.entities["ALL"].add(c)
        for k, c in rels.items():
            result.relations[k].add(c)
            result.relations["ALL"].add(c)
    return result


def load_gold(directory: Path) -> list[dict]:
    """Every ``*.json`` (one object) or ``*.jsonl`` file of a gold folder."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KgError(f"Gold folder not found: {directory}", hint="Pass --gold DIR with the gold *.json files.")
    golds = []
    for path in sorted(directory.iterdir()):
        if path.suffix == ".json":
            golds.append(json.loads(path.read_text(encoding="utf-8")))
        elif path.suffix == ".jsonl":
            golds.extend(read_jsonl(path))
    if not golds:
        raise KgError(f"No gold *.json files in {directory}")
    return golds


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as err:
                    raise KgError(f"{path}:{n}: not a JSON line ({err.msg})") from None
    return rows


def format_table(result: Score) -> str:
    """A plain-text table of P/R/F1 per entity type and per relation."""
    lines = []
    for title, table in (("entities", result.entities), ("relations", result.relations)):
        lines.append(f"{title:<20} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'pred':>5} {'gold':>5}")
        for name, c in table.items():
            if name != "ALL" and not (c.pred or c.gold):
                continue
            lines.append(
                f"  {name:<18} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.tp:5d} {c.pred:5d} {c.gold:5d}"
            )
        lines.append("")
    if result.missing:
        lines.append("no prediction for: " + ", ".join(result.missing))
    return "\n".join(lines).rstrip() + "\n"

