"""Relation P/R/F1 per relation on the gold documents, and a merge report.

    python bench/relations.py [--gold tests/data/gold] [--corpus corpus] [--json]

The merge report checks entity resolution against the gold graphs:

* gold aliases merged: for every gold entity with aliases, whether the extractor gave
  the name and each alias to one entity (an alias found as a separate entity, or not
  found at all, is listed);
* wrong merges: predicted entities whose names cover two different gold entities;
* cross-type merges: predicted entities whose names are gold entities of another type
  (resolution never merges across types, so this must stay empty).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.evaluate import load_gold, score  # noqa: E402
from kg.normalize import normalise_name  # noqa: E402
from kg.pipeline import extract_paths  # noqa: E402


def merge_report(preds: list[dict], golds: list[dict]) -> dict:
    by_doc = {p["doc"]: p for p in preds}
    aliases_ok, aliases_missing, aliases_split = [], [], []
    wrong, cross_type = [], []
    for gold in golds:
        pred = by_doc.get(gold["doc"], {"entities": []})
        pred_names = [
            (e["type"], {normalise_name(e["name"]), *map(normalise_name, e.get("aliases", []))}, e["name"])
            for e in pred["entities"]
        ]
        for g in gold["entities"]:
            gnames = {normalise_name(g["name"]), *map(normalise_name, g.get("aliases", []))}
            # the predicted entity that matches the gold one under the scoring rule
            owners = [p for p in pred_names if p[0] == g["type"] and p[1] & gnames
                      and (normalise_name(p[2]) in gnames or normalise_name(g["name"]) in p[1])]
            for alias in g.get("aliases", []):
                a = normalise_name(alias)
                row = {"doc": gold["doc"], "type": g["type"], "name": g["name"], "alias": alias}
                if any(a in names for _, names, _ in owners):
                    aliases_ok.append(row)
                elif any(t == g["type"] and a in names for t, names, _ in pred_names):
                    aliases_split.append(row)
                else:
                    aliases_missing.append(row)
        gold_index = {}
        for g in gold["entities"]:
            for n in {g["name"], *g.get("aliases", [])}:
                gold_index.setdefault(normalise_name(n), set()).add((g["type"], g["name"]))
        for ptype, names, pname in pred_names:
            hits = set().union(*(gold_index.get(n, set()) for n in names)) if names else set()
            same = {h for h in hits if h[0] == ptype}
            if len(same) > 1:
                wrong.append({"doc": gold["doc"], "type": ptype, "name": pname, "gold": sorted(n for _, n in same)})
            other = {h for h in hits if h[0] != ptype}
            if other and not same:
                cross_type.append({"doc": gold["doc"], "type": ptype, "name": pname,
                                   "gold": sorted(f"{t}:{n}" for t, n in other)})
    total = len(aliases_ok) + len(aliases_missing) + len(aliases_split)
    return {
        "gold_aliases": total,
        "aliases_merged": len(aliases_ok),
        "aliases_split": aliases_split,
        "aliases_not_found": aliases_missing,
        "wrong_merges": wrong,
        "type_mismatches": cross_type,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", default=str(ROOT / "tests" / "data" / "gold"))
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    golds = load_gold(Path(args.gold))
    files = [Path(args.corpus) / g["doc"] for g in golds]
    preds = [r.to_annotation() for r in extract_paths(files, progress=False)]
    result = score(preds, golds)
    merges = merge_report(preds, golds)
    if args.json:
        print(json.dumps({"relations": {k: v.as_dict() for k, v in result.relations.items()}, "merges": merges},
                         ensure_ascii=False, indent=2))
        return
    print(f"{'relation':<20} {'P':>6} {'R':>6} {'F1':>6} {'tp':>4} {'pred':>5} {'gold':>5}")
    for name, c in result.relations.items():
        print(f"{name:<20} {c.precision:6.3f} {c.recall:6.3f} {c.f1:6.3f} {c.tp:4d} {c.pred:5d} {c.gold:5d}")
    print()
    print(f"gold aliases merged into their entity: {merges['aliases_merged']} of {merges['gold_aliases']}")
    for key, title in (("aliases_split", "alias found as a separate entity"),
                       ("aliases_not_found", "alias not found"),
                       ("wrong_merges", "WRONG MERGE (two gold entities in one)"),
                       ("type_mismatches", "name typed differently from gold")):
        for row in merges[key]:
            print(f"  {title}: {json.dumps(row, ensure_ascii=False)}")


if __name__ == "__main__":
    main()
