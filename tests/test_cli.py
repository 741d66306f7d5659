"""Every `kg` command on the bundled corpus, checking what it prints and writes.

The corpus is built once per session; the other commands read that build. Expected
values come from the guidelines (the closed sets of types and relations), the gold
files and the documents themselves, or from another output of the same build (the
command under test must agree with it), never from the command's own output.
`query`, `export`, `viz`, `validate` and `push` have their own test modules.
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((ROOT / "corpus").glob("*.txt"))
GOLD_DIR = Path(__file__).resolve().parent / "data" / "gold"
OUTPUT_FILES = ("graph.ttl", "graph.trig", "graph.jsonld", "graph.graphml", "graph.html",
                "entities.csv", "relations.csv", "report.json")
COMMANDS = ("build", "extract", "eval", "query", "export", "viz", "stats", "validate", "push")
# The closed sets of the annotation guidelines (GUIDELINES.md).
ENTITY_TYPES = {"ORG", "DISTRICT", "PROJECT", "POLICY"}
RELATIONS = {"locatedIn", "memberOf", "subOrganizationOf", "leads", "issuedBy", "implements", "invests",
             "develops", "partnerOf"}


def kg(*args, **kwargs) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="kg", catch_exceptions=False, **kwargs)


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> tuple[Path, Result]:
    """``kg build corpus/*.txt -o DIR`` once for the session: (DIR, the run)."""
    out = tmp_path_factory.mktemp("cli") / "outputs"
    result = kg("build", *CORPUS_FILES, "-o", out)
    assert result.exit_code == 0, result.output
    return out, result


@pytest.fixture(scope="session")
def extracted() -> list[dict]:
    """``kg extract corpus/*.txt``: one JSON object per line."""
    result = kg("extract", *CORPUS_FILES)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


# --------------------------------------------------------------------------- kg build


def test_build_writes_every_output_and_they_parse(built):
    import networkx as nx
    import pyoxigraph
    import rdflib

    out, result = built
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == set(OUTPUT_FILES)
    entities, relations = read_csv(out / "entities.csv"), read_csv(out / "relations.csv")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [f["doc"] for f in report["files"]] == [f.name for f in CORPUS_FILES]
    assert {f["status"] for f in report["files"]} == {"ok"}
    assert report["counts"] == {"documents": 5, "ok": 5, "skipped": 0, "failed": 0,
                                "entities": len(entities), "relations": len(relations)}
    # the summary line agrees with the files
    assert (f"5 of 5 documents processed (0 skipped, 0 failed): {len(entities)} entities, "
            f"{len(relations)} relations -> {out}/") in result.stderr
    for name, rdflib_format, oxigraph_format in (("graph.ttl", "turtle", pyoxigraph.RdfFormat.TURTLE),
                                                 ("graph.trig", "trig", pyoxigraph.RdfFormat.TRIG),
                                                 ("graph.jsonld", "json-ld", pyoxigraph.RdfFormat.JSON_LD)):
        dataset = rdflib.Dataset()
        dataset.parse(out / name, format=rdflib_format)
        n = len(set(dataset.quads((None, None, None, None))))
        assert n == len(set(pyoxigraph.parse(path=out / name, format=oxigraph_format))) > len(entities), name
    graph = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    assert sorted(graph.nodes) == sorted(row["key"] for row in entities)
    assert sorted((h, t, k) for h, t, k in graph.edges(keys=True)) == sorted(
        (row["head"], row["tail"], row["relation"]) for row in relations)
    # every entity and relation is of the closed sets, and comes from a corpus document
    assert {row["type"] for row in entities} <= ENTITY_TYPES
    assert {row["relation"] for row in relations} <= RELATIONS
    texts = {f.name: squeeze(f.read_text(encoding="utf-8")) for f in CORPUS_FILES}
    for row in relations:
        assert squeeze(row["evidence"]) in texts[row["doc"]], row
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert html.rstrip().endswith("</html>")
    assert not re.search(r"""<script[^>]+src=["']https?://""", html), "the viewer must work offline"


# --------------------------------------------------------------------------- kg extract


def test_extract_prints_the_guidelines_format(extracted, built):
    assert [doc["doc"] for doc in extracted] == [f.name for f in CORPUS_FILES]
    per_file = {f["doc"]: f for f in json.loads((built[0] / "report.json").read_text(encoding="utf-8"))["files"]}
    for doc, path in zip(extracted, CORPUS_FILES):
        text = path.read_text(encoding="utf-8")
        assert set(doc) >= {"doc", "entities", "relations"}
        names = set()
        for entity in doc["entities"]:
            assert entity["type"] in ENTITY_TYPES, entity
            assert entity["name"] and entity["name"] == entity["name"].strip(), entity
            assert not (entity["name"].startswith("《") and entity["name"].endswith("》")), entity
            assert isinstance(entity["aliases"], list)
            names.add(entity["name"])
        assert len(names) == len(doc["entities"]), "one entry per entity"
        for relation in doc["relations"]:
            assert relation["relation"] in RELATIONS, relation
            assert {relation["head"], relation["tail"]} <= names, relation
            assert squeeze(relation["evidence"]) in squeeze(text), relation
            assert text[relation["start"]:relation["end"]] == relation["evidence"], relation
            assert 0 < relation["confidence"] <= 1
        # the same pipeline as `kg build`
        assert (len(doc["entities"]), len(doc["relations"])) == (
            per_file[doc["doc"]]["entities"], per_file[doc["doc"]]["relations"])


def test_extract_finds_gold_entities(extracted):
    """Not a quality bar (bench/ measures that): the extractor finds real entities of the gold."""
    from kg.normalize import normalise_name

    gold = {g["doc"]: g for g in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json")))}
    for doc in extracted:
        found = {normalise_name(e["name"]) for e in doc["entities"]}
        expected = {normalise_name(e["name"]) for e in gold[doc["doc"]]["entities"]}
        assert len(found & expected) >= len(expected) / 3, doc["doc"]


def test_extract_reports_unreadable_files_and_goes_on(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    result = kg("extract", tmp_path / "empty.txt", CORPUS_FILES[0])
    assert result.exit_code == 0
    assert [json.loads(line)["doc"] for line in result.stdout.splitlines()] == [CORPUS_FILES[0].name]
    assert f"skipped: {tmp_path / 'empty.txt'}: empty file" in result.stderr


# --------------------------------------------------------------------------- kg eval


def gold_docs() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def table_rows(section: str) -> dict[str, list[str]]:
    """``name -> [P, R, F1, tp, pred, gold]`` of one section of the `kg eval` table."""
    return {line.split()[0]: line.split()[1:] for line in section.splitlines() if line.startswith("  ")}


def test_eval_of_the_gold_itself_is_perfect(tmp_path):
    golds = gold_docs()
    pred = write_jsonl(tmp_path / "gold.jsonl", golds)
    scores = json.loads(kg("eval", "--gold", GOLD_DIR, pred, "--json").stdout)
    n_entities = sum(len(g["entities"]) for g in golds)
    n_relations = sum(len(g["relations"]) for g in golds)
    assert scores["docs"] == [g["doc"] for g in golds] and scores["missing_predictions"] == []
    assert scores["entities"]["ALL"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                         "tp": n_entities, "pred": n_entities, "gold": n_entities}
    assert scores["relations"]["ALL"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0,
                                          "tp": n_relations, "pred": n_relations, "gold": n_relations}
    for type_ in ENTITY_TYPES:
        n = sum(e["type"] == type_ for g in golds for e in g["entities"])
        assert scores["entities"][type_]["tp"] == scores["entities"][type_]["gold"] == n
    table = kg("eval", "--gold", GOLD_DIR, pred)
    assert table.exit_code == 0
    entity_rows, relation_rows = (table_rows(part) for part in table.stdout.split("\n\n"))
    assert entity_rows["ALL"] == ["1.000", "1.000", "1.000", str(n_entities), str(n_entities), str(n_entities)]
    assert relation_rows["ALL"] == ["1.000", "1.000", "1.000", str(n_relations), str(n_relations), str(n_relations)]


def test_eval_of_empty_predictions_is_zero(tmp_path):
    golds = gold_docs()
    pred = write_jsonl(tmp_path / "empty.jsonl", [{"doc": g["doc"], "entities": [], "relations": []} for g in golds])
    scores = json.loads(kg("eval", "--gold", GOLD_DIR, pred, "--json").stdout)
    assert scores["entities"]["ALL"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "tp": 0, "pred": 0,
                                         "gold": sum(len(g["entities"]) for g in golds)}
    assert scores["relations"]["ALL"]["f1"] == 0.0
    # a prediction file without any document counts every gold document as missed
    nothing = kg("eval", "--gold", GOLD_DIR, write_jsonl(tmp_path / "nothing.jsonl", []), "--json")
    assert json.loads(nothing.stdout)["missing_predictions"] == [g["doc"] for g in golds]
    assert json.loads(nothing.stdout)["entities"]["ALL"]["f1"] == 0.0
    table = kg("eval", "--gold", GOLD_DIR, tmp_path / "nothing.jsonl").stdout
    assert "no prediction for: " + ", ".join(g["doc"] for g in golds) in table


def test_eval_of_extracted_predictions_table_and_json_agree(extracted, tmp_path):
    pred = write_jsonl(tmp_path / "pred.jsonl", extracted)
    scores = json.loads(kg("eval", "--gold", GOLD_DIR, pred, "--json").stdout)
    table = kg("eval", "--gold", GOLD_DIR, pred).stdout
    entity_part, relation_part = table.split("\n\n")
    assert entity_part.splitlines()[0].split() == ["entities", "P", "R", "F1", "tp", "pred", "gold"]
    assert relation_part.splitlines()[0].split() == ["relations", "P", "R", "F1", "tp", "pred", "gold"]
    for part, kind in ((entity_part, "entities"), (relation_part, "relations")):
        for name, row in table_rows(part).items():
            c = scores[kind][name]
            # the JSON keeps 4 decimals, the table 3: they agree to the table's precision
            assert row[3:] == [str(c["tp"]), str(c["pred"]), str(c["gold"])], (kind, name)
            for shown, key in zip(row[:3], ("precision", "recall", "f1")):
                assert abs(float(shown) - c[key]) <= 0.00051, (kind, name, key)
    ent = scores["entities"]["ALL"]
    assert ent["pred"] == sum(len(doc["entities"]) for doc in extracted)
    assert 0 < ent["f1"] < 1
    # scoring documents directly extracts them the same way
    direct = json.loads(kg("eval", "--gold", GOLD_DIR, *CORPUS_FILES, "--json").stdout)
    assert direct == scores


# --------------------------------------------------------------------------- kg stats


def test_stats_counts_agree_with_the_tables(built, monkeypatch):
    out, _ = built
    entities, relations = read_csv(out / "entities.csv"), read_csv(out / "relations.csv")
    monkeypatch.chdir(out.parent)  # the default --graph is outputs/graph.graphml
    result = kg("stats", "--top", "3")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"{len(entities)} entities, {len(relations)} relations"
    sections, current = {}, None
    for line in lines[1:]:
        if line and not line.startswith(" "):
            current = sections.setdefault(line, [])
        elif line.strip():
            current.append(line.split())
    assert {name: int(n) for name, n in sections["entities by type"]} == Counter(r["type"] for r in entities)
    assert {name: int(n) for name, n in sections["relations"]} == Counter(r["relation"] for r in relations)
    top = sections["top 3 by degree"]
    assert len(top) == 3
    degrees = Counter()
    for row in relations:
        degrees[row["head"]] += 1
        degrees[row["tail"]] += 1
    assert [int(row[0]) for row in top] == sorted(degrees.values(), reverse=True)[:3]


# --------------------------------------------------------------------------- help and errors


def test_help_lists_every_command():
    result = kg("--help")
    assert result.exit_code == 0
    listed = re.findall(r"^  (\w+)\s", result.stdout.split("Commands:")[1], flags=re.MULTILINE)
    assert sorted(listed) == sorted(COMMANDS)
    assert "kg build" in result.stdout  # a first example


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help(command):
    result = kg(command, "--help")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: kg {command}")
    assert len(result.stdout.splitlines()) > 5


def test_build_help_documents_its_options():
    text = kg("build", "--help").stdout
    for option in ("-o, --output", "-j, --jobs", "--no-cache", "--max-size", "--base", "--scheduler", "--strict",
                   "-q, --quiet"):
        assert option in text, option
    for output in OUTPUT_FILES:
        assert output in text, output


def test_version():
    from kg import __version__

    result = kg("--version")
    assert result.exit_code == 0 and result.stdout.strip() == f"kg, version {__version__}"


@pytest.mark.parametrize("args, message", [
    (["build", "no/such/folder"], "Error: No such file or folder: no/such/folder"),
    (["extract", "no/such/file.txt"], "Error: No such file or folder: no/such/file.txt"),
    (["eval", "--gold", "no/such/gold", "pred.jsonl"], "Error: Gold folder not found: no/such/gold"),
    (["stats", "--graph", "no/such/graph.graphml"], "Error: No graph at no/such/graph.graphml."),
    (["build", "--max-size", "lots"], "Error: Invalid value for '--max-size'"),
    (["frobnicate"], "Error: No such command 'frobnicate'"),
])
def test_errors_are_one_clear_line_and_exit_2(args, message, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = kg(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not (tmp_path / "outputs").exists(), "a failed command must not leave an output folder"


def test_eval_names_the_bad_line_of_a_prediction_file(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"doc": "a.txt", "entities": [], "relations": []}\n{"doc": \n', encoding="utf-8")
    result = kg("eval", "--gold", GOLD_DIR, bad)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {bad}:2: not a JSON line")


def test_each_entity_appears_once_in_entities_csv_however_many_documents_name_it(built):
    from kg.normalize import normalise_name

    outdir, _ = built
    rows = read_csv(outdir / "entities.csv")
    keys_by_name = {}
    for row in rows:
        for name in [row["name"], *filter(None, row["aliases"].split(" | "))]:
            keys_by_name.setdefault((row["type"], normalise_name(name)), set()).add(row["key"])
    assert {k: v for k, v in keys_by_name.items() if len(v) > 1} == {}
    # entities named by several documents are merged, not repeated
    shared = [row for row in rows if len(row["docs"].split(" | ")) > 1]
    assert shared, "the demo documents share entities (重庆大学, 重庆市, ...)"
    assert len({row["key"] for row in rows}) == len(rows)


def test_every_relation_traces_to_its_evidence_with_sparql(built):
    outdir, _ = built
    rel_rows = read_csv(outdir / "relations.csv")
    result = kg("query", "--graph", str(outdir / "graph.trig"), "--format", "csv", """
        PREFIX kg: <https://kg.example.org/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT DISTINCT ?statement ?sentence ?document WHERE {
          ?statement a kg:Statement ; rdf:subject ?h ; rdf:predicate ?p ; rdf:object ?t ; kg:evidence ?e .
          ?h ?p ?t .
          ?e oa:hasSource/kg:fileName ?document ; oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact ?sentence ] .
        }""")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert len({r["statement"] for r in rows}) == len(rel_rows)  # every fact has its sentence
    corpus_texts = {p.name: squeeze(p.read_text(encoding="utf-8")) for p in CORPUS_FILES}
    for r in rows:
        assert squeeze(r["sentence"]) in corpus_texts[r["document"]]
