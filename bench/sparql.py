"""Embedded SPARQL engines on a synthetic knowledge graph: plain rdflib against kg's store.

Builds a graph in the shape of kg's ontology (organisations, districts, projects, policies with
Chinese labels, aliases, amounts and the relations between them) of each requested size, writes it
as Turtle, then times in the same run, for plain rdflib (``Graph()``, memory store) and for kg's
default store (rdflib's API on Oxigraph, :func:`kg.store.get_store`):

* Turtle parse, and Turtle export (the store's own writer, and kg's canonical byte-stable writer);
* four analyst queries: counts by type, a 2-hop join, a CONTAINS filter on labels, and
  OPTIONAL + ORDER BY + LIMIT. Both engines must return the same number of rows.

Targets (issue 5): at 1M triples each query <= 0.5 s in the embedded store, >= 10x faster than
rdflib on every query and >= 20x on their geometric mean, Turtle export <= 5 s.

    python bench/sparql.py                    # 100k and 1M triples (~5 minutes, ~2.5 GB RAM)
    python bench/sparql.py --sizes 100000     # quick run
    python bench/sparql.py --json bench/sparql.json
"""
from __future__ import annotations

import argparse
import gc
import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KG = "https://kg.example.org/ontology#"
BASE = "https://kg.example.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"

PREFIXES = f"PREFIX kg: <{KG}>\nPREFIX skos: <{SKOS}>\n"
QUERIES = {
    "counts by type": PREFIXES + """
SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY ?type""",
    "2-hop join": PREFIXES + """
SELECT ?district (COUNT(DISTINCT ?org) AS ?developers) WHERE {
  ?org kg:develops ?project .
  ?project kg:locatedIn ?district .
} GROUP BY ?district ORDER BY DESC(?developers) ?district LIMIT 20""",
    "CONTAINS filter": PREFIXES + """
SELECT ?entity ?label WHERE { ?entity skos:prefLabel ?label . FILTER(CONTAINS(STR(?label), "重庆")) }""",
    "OPTIONAL + ORDER BY": PREFIXES + """
SELECT ?project ?label ?amount WHERE {
  ?project a kg:Project ; skos:prefLabel ?label .
  OPTIONAL { ?project kg:amountCNY ?amount }
} ORDER BY DESC(?amount) ?label LIMIT 100""",
}

_SYLLABLES = list("华新创智德锦科技云数达联合金山江北南岸永川涪陵渝中星海川汇通信电力")
_SUFFIX = {"ORG": ["有限公司", "研究院", "大学", "委员会", "联盟"], "DISTRICT": ["区", "县", "镇", "街道"],
           "PROJECT": ["项目", "产业园", "平台", "基地"], "POLICY": ["实施方案", "行动计划", "通知"]}
_SEGMENT = {"ORG": "organization", "DISTRICT": "district", "PROJECT": "project", "POLICY": "policy"}
_CLASS = {"ORG": "Organization", "DISTRICT": "District", "PROJECT": "Project", "POLICY": "Policy"}


def synthetic_ntriples(target: int, seed: int = 7) -> tuple[bytes, int]:
    """About ``target`` triples in kg's shape as N-Triples; returns (data, exact count)."""
    rng = random.Random(seed)
    n_entities = target // 6
    shares = {"ORG": 0.4, "DISTRICT": 0.05, "PROJECT": 0.4, "POLICY": 0.15}
    ids: dict[str, list[str]] = {t: [] for t in shares}
    lines: list[str] = []
    for type_, share in shares.items():
        for i in range(int(n_entities * share)):
            name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5)))
            if rng.random() < 0.1:
                name = "重庆" + name
            name = f"{name}{i}{rng.choice(_SUFFIX[type_])}"
            iri = f"<{BASE}{_SEGMENT[type_]}/{name}>"
            ids[type_].append(iri)
            lines.append(f"{iri} <{RDF_TYPE}> <{KG}{_CLASS[type_]}> .")
            lines.append(f'{iri} <{SKOS}prefLabel> "{name}"@zh .')
            lines.append(f"{iri} <{KG}mentionedIn> <{BASE}document/doc{rng.randrange(5000)}.txt> .")
            if rng.random() < 0.3:
                lines.append(f'{iri} <{SKOS}altLabel> "{name[:4]}"@zh .')
            if type_ == "PROJECT" and rng.random() < 0.5:
                lines.append(f'{iri} <{KG}amountCNY> "{rng.randrange(1, 500) * 10**7}"^^<{XSD}decimal> .')
    edges = [("ORG", "develops", "PROJECT"), ("PROJECT", "locatedIn", "DISTRICT"), ("ORG", "locatedIn", "DISTRICT"),
             ("ORG", "memberOf", "ORG"), ("POLICY", "issuedBy", "ORG"), ("ORG", "invests", "PROJECT"),
             ("ORG", "partnerOf", "ORG"), ("POLICY", "implements", "POLICY")]
    seen = set()
    while len(lines) < target:
        head, rel, tail = rng.choice(edges)
        triple = f"{rng.choice(ids[head])} <{KG}{rel}> {rng.choice(ids[tail])} ."
        if triple not in seen:
            seen.add(triple)
            lines.append(triple)
    return ("\n".join(lines) + "\n").encode("utf-8"), len(lines)


def _median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def bench_size(size: int, repeat: int, folder: Path) -> dict:
    import pyoxigraph

    from kg import rdf
    from kg.store import get_store

    data, count = synthetic_ntriples(size)
    turtle = folder / f"kg-{size}.ttl"
    pyoxigraph.serialize(pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES), str(turtle),
                         pyoxigraph.RdfFormat.TURTLE, prefixes={"kg": KG, "skos": SKOS})
    del data
    row = {"triples": count, "turtle_mb": round(turtle.stat().st_size / 1e6, 1), "rdflib": {}, "kg_store": {}}

    # -- kg's store: rdflib API on Oxigraph ----------------------------------------------------
    def load_store():
        s = get_store("oxigraph")
        s.load(turtle)
        return s

    row["kg_store"]["parse"], store = _median_time(load_store, 1)
    for name, sparql in QUERIES.items():
        seconds, rows = _median_time(lambda: list(store.query(sparql)), repeat)
        row["kg_store"][name] = seconds
        row.setdefault("rows", {})[name] = len(rows)
    row["kg_store"]["export (engine order)"], _ = _median_time(lambda: store.dump(folder / "out-store.ttl", "turtle"), 1)
    row["kg_store"]["export (canonical)"], _ = _median_time(
        lambda: rdf.write_graph(store.graph, folder / "out-canonical.ttl", "turtle"), 1)
    del store
    gc.collect()

    # -- plain rdflib ----------------------------------------------------------------------------
    from rdflib import Graph

    def load_rdflib():
        g = Graph()
        g.parse(str(turtle), format="turtle")
        return g

    row["rdflib"]["parse"], graph = _median_time(load_rdflib, 1)
    for name, sparql in QUERIES.items():
        seconds, rows = _median_time(lambda: list(graph.query(sparql)), repeat)
        row["rdflib"][name] = seconds
        if len(rows) != row["rows"][name]:
            raise SystemExit(f"{name}: rdflib found {len(rows)} rows, the store {row['rows'][name]}")
    row["rdflib"]["export (engine order)"], _ = _median_time(
        lambda: graph.serialize(destination=str(folder / "out-rdflib.ttl"), format="turtle"), 1)
    del graph
    gc.collect()

    row["speedup"] = {name: row["rdflib"][name] / row["kg_store"][name] for name in QUERIES}
    row["geomean_speedup"] = math.exp(statistics.mean(math.log(v) for v in row["speedup"].values()))
    return row


def report(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        lines.append(f"\n{row['triples']:,} triples ({row['turtle_mb']} MB Turtle)\n")
        lines.append(f"| step | rdflib (s) | kg store: rdflib on Oxigraph (s) | speed-up | rows |")
        lines.append("|---|---:|---:|---:|---:|")
        for step in ["parse", *QUERIES, "export (engine order)", "export (canonical)"]:
            a, b = row["rdflib"].get(step), row["kg_store"].get(step)
            speed = f"{a / b:.0f}x" if a and b else ""
            lines.append(f"| {step} | {a:.3f} |" if a is not None else f"| {step} | |")
            lines[-1] += f" {b:.3f} | {speed} | {row.get('rows', {}).get(step, '')} |"
        lines.append(f"\ngeometric mean speed-up over the four queries: {row['geomean_speedup']:.0f}x")
        if row["triples"] >= 1_000_000:
            slowest = max(row["kg_store"][q] for q in QUERIES)
            ok = (slowest <= 0.5 and min(row["speedup"].values()) >= 10 and row["geomean_speedup"] >= 20
                  and row["kg_store"]["export (engine order)"] <= 5)
            lines.append(f"targets (each query <= 0.5 s, >= 10x each, >= 20x geomean, export <= 5 s): "
                         f"{'met' if ok else 'NOT met'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated triple counts (default: 100000,1000000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per query; the median is reported (default 3)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            rows.append(bench_size(size, args.repeat, Path(tmp)))
            print(report(rows[-1:]), flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
