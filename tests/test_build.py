"""`kg build` on real and hostile input: failure safety, incremental builds, determinism.

Acceptance of issue 7 (hostile corpus, kill midway, incremental rebuild, .docx/.pdf) and
of issue 8's executors (``-j 2`` and a Dask ``LocalCluster`` give the outputs of ``-j 1``).

Documents are the bundled corpus, copied, re-encoded, renamed or converted here; the
expected facts come from building the untouched documents, never from constants.
Builds run in-process through click's runner (the NLP model loads once per test
session), except the build that is killed, which needs a process of its own.
"""
from __future__ import annotations

import csv
import io
import re
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILES = sorted((ROOT / "corpus").glob("*.txt"))
# What `kg build` writes (issue 7 and `kg build --help`); report.json records timings,
# so it is the one file allowed to differ between two builds of the same input.
GRAPH_FILES = ("graph.ttl", "graph.trig", "graph.jsonld", "graph.graphml", "graph.html",
               "entities.csv", "relations.csv")
OUTPUT_FILES = GRAPH_FILES + ("report.json",)
# The `kg` command in a process of its own (works whether or not kg is pip-installed).
KG_COMMAND = [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())"]


# --------------------------------------------------------------------------- helpers


def kg(*args) -> Result:
    """Run ``kg ARGS`` in this process; exceptions other than exits propagate."""
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="kg", catch_exceptions=False)


def build_ok(*args) -> Result:
    result = kg("build", "-q", *args)
    assert result.exit_code == 0, result.output
    return result


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def copy_corpus(folder: Path, files=CORPUS_FILES) -> list[Path]:
    return [write(folder / f.name, f.read_bytes()) for f in files]


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def graph_outputs(outdir: Path) -> dict[str, bytes]:
    return {name: (outdir / name).read_bytes() for name in GRAPH_FILES}


def visible_files(outdir: Path) -> dict[str, bytes]:
    """Every file a user sees in an output folder (not the hidden cache and lock)."""
    return {p.name: p.read_bytes() for p in sorted(outdir.iterdir()) if p.is_file() and not p.name.startswith(".")}


def assert_same_outputs(a: Path, b: Path) -> None:
    """The graph outputs of two builds are byte-identical (report.json excepted)."""
    left, right = graph_outputs(a), graph_outputs(b)
    differing = [name for name in GRAPH_FILES if left[name] != right[name]]
    if differing:
        name = differing[0]
        for n, (x, y) in enumerate(zip(left[name].splitlines(), right[name].splitlines()), 1):
            if x != y:
                pytest.fail(f"{differing} differ; {name} line {n}:\n  {x[:300]!r}\n  {y[:300]!r}")
        pytest.fail(f"{differing} differ; {name}: one is a prefix of the other")


def report(outdir: Path) -> dict:
    return json.loads((outdir / "report.json").read_text(encoding="utf-8"))


def files_by_doc(outdir: Path) -> dict[str, dict]:
    return {f["doc"]: f for f in report(outdir)["files"]}


def read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def entity_keys_by_doc(outdir: Path) -> dict[str, set[str]]:
    """``doc -> {entity key}`` from entities.csv (its ``docs`` column is ' | '-joined)."""
    keys: dict[str, set[str]] = {}
    for row in read_csv(outdir / "entities.csv"):
        for doc in row["docs"].split(" | "):
            keys.setdefault(doc, set()).add(row["key"])
    return keys


def relation_triples(outdir: Path) -> set[tuple[str, str, str]]:
    return {(r["head"], r["relation"], r["tail"]) for r in read_csv(outdir / "relations.csv")}


DOCUMENT_IRI = "https://kg.example.org/document/"  # the default --base
RDF_FILES = (("graph.ttl", "turtle", "TURTLE"), ("graph.trig", "trig", "TRIG"), ("graph.jsonld", "json-ld", "JSON_LD"))


def assert_outputs_parse(outdir: Path) -> dict[str, int]:
    """Every output parses: RDF with rdflib and pyoxigraph (same statement count), GraphML
    with NetworkX, CSV and JSON; returns the statement count of each RDF file."""
    import networkx as nx
    import pyoxigraph
    import rdflib

    counts = {}
    for name, rdflib_format, oxigraph_format in RDF_FILES:
        dataset = rdflib.Dataset()
        dataset.parse(outdir / name, format=rdflib_format)
        by_rdflib = len(set(dataset.quads((None, None, None, None))))
        by_oxigraph = len(set(pyoxigraph.parse(path=outdir / name, format=getattr(pyoxigraph.RdfFormat, oxigraph_format))))
        assert by_rdflib == by_oxigraph > 0, f"{name}: rdflib reads {by_rdflib} statements, pyoxigraph {by_oxigraph}"
        counts[name] = by_rdflib
    assert len({counts["graph.ttl"], counts["graph.trig"], counts["graph.jsonld"]}) == 1, counts
    graph = nx.read_graphml(outdir / "graph.graphml", force_multigraph=True)
    entities, relations = read_csv(outdir / "entities.csv"), read_csv(outdir / "relations.csv")
    assert graph.number_of_nodes() == len(entities)
    assert graph.number_of_edges() == len(relations)
    counts_in_report = report(outdir)["counts"]
    assert (counts_in_report["entities"], counts_in_report["relations"]) == (len(entities), len(relations))
    assert b"</html>" in (outdir / "graph.html").read_bytes()
    return counts


# --------------------------------------------------------------------------- hostile corpus

ODD_NAMES = ('quote"less<than>greater.txt', "brace{pipe|back\\slash^caret}.txt", "line\nbreak.txt",
             "space and #hash%20.txt")


def make_hostile_corpus(folder: Path, max_bytes: int) -> dict[str, tuple[str, str]]:
    """Write the hostile corpus; returns ``file name -> (status, words its reason must hold)``
    for every file that is not one of the two untouched corpus documents."""
    import opencc

    first, second, fourth = (CORPUS_FILES[n].read_text(encoding="utf-8") for n in (0, 1, 3))
    expected = {}

    def add(name: str, data: bytes | str, status: str, reason: str = "") -> None:
        write(folder / name, data)
        expected[name] = (status, reason)

    add("empty.txt", b"", "skipped", "empty")
    add("whitespace.md", "\n \u3000\n", "skipped", "whitespace")
    add("picture.txt", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8, "skipped", "binary")
    add("zeros.txt", bytes(4096), "skipped", "binary")
    add("not-a-zip.docx", "其实是文本", "skipped", "not a .docx")
    add("image.png", b"\x89PNG\r\n\x1a\n", "skipped", "unsupported file type")
    too_large = (first * (max_bytes // len(first.encode("utf-8")) + 1)).encode("utf-8")
    add("too-large.txt", too_large, "skipped", "limit")
    # good text in the encodings of the issue: same text, same facts as the UTF-8 file
    add("gbk.txt", first.encode("gbk"), "ok")
    add("utf16.txt", second.encode("utf-16"), "ok")
    add("utf8-bom.txt", utf8_with_bom(second), "ok")
    add("big5.txt", opencc.OpenCC("s2tw").convert(first).encode("big5hkscs"), "ok")
    # odd names, holding the first or the second document in turn
    for n, name in enumerate(ODD_NAMES):
        add(name, (first, second)[n % 2], "ok")
    add("unbalanced.txt", "《" + "\n".join(paragraphs(fourth)[:4]) + "\n〈未闭合的“引号《", "ok")
    add("long-line.txt", "".join(paragraphs(fourth)) * 3, "ok")  # ~20,000 characters, no line break
    return expected


def utf8_with_bom(text: str) -> bytes:
    return "\ufeff".encode("utf-8") + text.encode("utf-8")


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory) -> tuple[Path, Path, dict, Result]:
    """The hostile corpus plus the first two corpus documents, built with a 64 KB size cap;
    and, for comparison, a build of the two corpus documents alone."""
    base = tmp_path_factory.mktemp("hostile")
    folder = base / "in"
    good = copy_corpus(folder, CORPUS_FILES[:2])
    expected = make_hostile_corpus(folder, max_bytes=64 * 1024)
    result = kg("build", folder, "-o", base / "out", "--max-size", "64KB")
    assert result.exit_code == 0, result.output
    clean = kg("build", *good, "-o", base / "clean", "-q", "--strict")
    assert clean.exit_code == 0, clean.output  # --strict passes on a clean corpus
    return base / "out", base / "clean", expected, result


def test_hostile_corpus_reports_each_bad_file(hostile_build):
    out, _, expected, result = hostile_build
    files = files_by_doc(out)
    assert set(files) == set(expected) | {f.name for f in CORPUS_FILES[:2]}
    for name, (status, reason) in expected.items():
        entry = files[name]
        assert entry["status"] == status, (name, entry)
        assert reason.lower() in entry["reason"].lower(), (name, entry["reason"])
        if status == "ok":
            assert entry["entities"] > 0, name
        else:
            assert entry["reason"] and entry["entities"] == 0
    encodings = {name: files[name]["encoding"] for name in ("gbk.txt", "utf16.txt", "utf8-bom.txt", "big5.txt")}
    assert encodings == {"gbk.txt": "gb18030", "utf16.txt": "utf-16-le", "utf8-bom.txt": "utf-8-sig",
                         "big5.txt": "big5hkscs"}
    n_bad = sum(status != "ok" for status, _ in expected.values())
    counts = report(out)["counts"]
    assert (counts["documents"], counts["skipped"], counts["failed"]) == (len(files), n_bad, 0)
    # the summary on stderr names every bad file with its reason
    assert f"{len(files) - n_bad} of {len(files)} documents processed ({n_bad} skipped, 0 failed)" in result.stderr
    for name, (status, _) in expected.items():
        if status != "ok":
            assert f"skipped: {out.parent / 'in' / name}: {files[name]['reason']}" in result.stderr


def test_hostile_corpus_keeps_every_good_fact(hostile_build):
    out, clean, _, _ = hostile_build
    hostile_keys, clean_keys = entity_keys_by_doc(out), entity_keys_by_doc(clean)
    first, second = (f.name for f in CORPUS_FILES[:2])
    # the untouched documents yield exactly what they yield alone
    assert hostile_keys[first] == clean_keys[first] and hostile_keys[second] == clean_keys[second]
    assert relation_triples(clean) <= relation_triples(out)
    # the same text in another encoding yields the same entities
    assert hostile_keys["gbk.txt"] == clean_keys[first]
    assert hostile_keys["big5.txt"] == clean_keys[first]  # traditional characters, Big5 bytes
    assert hostile_keys["utf16.txt"] == hostile_keys["utf8-bom.txt"] == clean_keys[second]
    # documents with odd names are in the graph under their own names, with their facts
    for n, name in enumerate(ODD_NAMES):
        assert hostile_keys[name] == clean_keys[(first, second)[n % 2]], name


def test_hostile_corpus_outputs_parse(hostile_build):
    from urllib.parse import unquote

    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    out, clean, _, _ = hostile_build
    assert set(visible_files(out)) == set(OUTPUT_FILES)
    assert_outputs_parse(out)
    assert_outputs_parse(clean)
    # every good document is a document IRI, and has a named graph for the facts it states,
    # odd names included: IRIs percent-encode what they must and decode to the file name
    dataset = rdflib.Dataset()
    dataset.parse(out / "graph.trig", format="trig")
    iris = {str(term) for quad in dataset.quads((None, None, None, None)) for term in quad
            if isinstance(term, rdflib.URIRef)}
    for iri in iris:
        assert not set(iri) & set(' "<>{}|\\^`\n'), f"not a valid IRI: {iri!r}"
    graph_names = {unquote(str(g.identifier).rsplit("/", 1)[1]) for g in dataset.graphs()
                   if g.identifier != DATASET_DEFAULT_GRAPH_ID}
    documents = {unquote(iri.rsplit("/", 1)[1]) for iri in iris if iri.startswith(DOCUMENT_IRI)}
    ok = [f for f in report(out)["files"] if f["status"] == "ok"]
    assert {f["doc"] for f in ok} <= documents
    assert {f["doc"] for f in ok if f["relations"]} <= graph_names
    assert {name for name in ODD_NAMES} <= documents


def test_strict_turns_skipped_files_into_exit_1(hostile_build):
    out, _, _, _ = hostile_build
    before = visible_files(out)
    result = kg("build", out.parent / "in", "-o", out, "--max-size", "64KB", "--strict")
    assert result.exit_code == 1
    assert "skipped: " in result.stderr and "empty" in result.stderr
    # the outputs are still written (cached results: the same graph)
    assert graph_outputs(out) == {name: before[name] for name in GRAPH_FILES}


def test_a_failing_document_does_not_stop_the_batch(tmp_path, monkeypatch):
    """A bug on one document (not an unreadable file) is reported as failed; the others build,
    and nothing is cached for it, so a fixed pipeline processes it again."""
    from kg import pipeline

    folder = tmp_path / "in"
    copy_corpus(folder, CORPUS_FILES[:2])
    write(folder / "poison.txt", "触发错误的文档。" + CORPUS_FILES[2].read_text(encoding="utf-8"))
    real = pipeline.extract_source

    def extract_source(source):
        if source.text.startswith("触发错误"):
            raise RuntimeError("simulated bug")
        return real(source)

    monkeypatch.setattr(pipeline, "extract_source", extract_source)
    result = kg("build", folder, "-o", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    files = files_by_doc(tmp_path / "out")
    assert files["poison.txt"]["status"] == "failed"
    assert files["poison.txt"]["reason"] == "RuntimeError: simulated bug"
    assert [files[f.name]["status"] for f in CORPUS_FILES[:2]] == ["ok", "ok"]
    assert "failed: " in result.stderr and "simulated bug" in result.stderr
    monkeypatch.setattr(pipeline, "extract_source", real)
    build_ok(folder, "-o", tmp_path / "out")
    files = files_by_doc(tmp_path / "out")
    assert files["poison.txt"]["status"] == "ok" and "cached" not in files["poison.txt"]["timings"]


def test_same_file_name_in_two_folders_stays_two_documents(tmp_path):
    import rdflib
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    write(tmp_path / "in" / "2023" / "report.txt", CORPUS_FILES[0].read_bytes())
    write(tmp_path / "in" / "2024" / "report.txt", CORPUS_FILES[1].read_bytes())
    build_ok(tmp_path / "in", "-o", tmp_path / "out")
    dataset = rdflib.Dataset()
    dataset.parse(tmp_path / "out" / "graph.trig", format="trig")
    named = [g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID and len(g)]
    assert len(named) == 2


def test_rebuilding_a_folder_that_holds_the_outputs(tmp_path, monkeypatch):
    copy_corpus(tmp_path, CORPUS_FILES[:2])
    monkeypatch.chdir(tmp_path)
    for _ in range(2):  # the default output folder, outputs/, is inside the folder built
        result = kg("build", ".", "--strict", "-q")
        assert result.exit_code == 0, result.output
        assert sorted(files_by_doc(tmp_path / "outputs")) == [f.name for f in CORPUS_FILES[:2]]


# --------------------------------------------------------------------------- interrupted builds


def test_killed_build_leaves_previous_outputs_intact(tmp_path):
    out = tmp_path / "out"
    build_ok(*CORPUS_FILES, "-o", out)
    previous = visible_files(out)
    # many documents, each different (a cached copy would not be re-processed)
    many = tmp_path / "many"
    for copy in range(6):
        for f in CORPUS_FILES:
            write(many / f"{copy:02d}_{f.name}", f.read_text(encoding="utf-8") + f"\n（第{copy}份副本）\n")
    cache = out / ".kg-cache"

    def cached() -> int:
        return len(list(cache.glob("*/*.json")))

    cached_before = cached()
    stderr = tmp_path / "stderr.txt"
    with open(stderr, "wb") as err:
        proc = subprocess.Popen([*KG_COMMAND, "build", str(many), "-o", str(out), "-q"], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while cached() < cached_before + 2:  # two documents extracted: it is mid-extraction
            assert proc.poll() is None, f"build ended early: {stderr.read_text(errors='replace')[-2000:]}"
            assert time.monotonic() < deadline, "the build extracted nothing in 120 s"
            time.sleep(0.02)
        # a second build into the same folder meanwhile is refused with a clear message
        second = kg("build", CORPUS_FILES[0], "-o", out, "-q")
        assert second.exit_code == 2
        assert second.stderr.startswith(f"Error: Another kg build is writing to {out}")
        assert "Hint: " in second.stderr
        assert proc.poll() is None, "the build finished before it could be killed: give it more documents"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert visible_files(out) == previous  # byte-identical, nothing added (no stray temp files)
    assert_outputs_parse(out)
    # the lock died with the process, and what it cached is sound: the next build uses it
    # (in a process of its own, like the killed build: same code, so same pipeline version)
    first_copy = many / f"00_{CORPUS_FILES[0].name}"
    subprocess.run([*KG_COMMAND, "build", str(first_copy), "-o", str(out), "-q"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    assert files_by_doc(out)[first_copy.name]["timings"] == {"cached": True}


def test_lock_is_exclusive_per_output_folder(tmp_path):
    from kg.pipeline import OutputLock

    with OutputLock(tmp_path / "out"):
        refused = kg("build", CORPUS_FILES[0], "-o", tmp_path / "out", "-q")
        assert refused.exit_code == 2
        assert refused.stderr.startswith(f"Error: Another kg build is writing to {tmp_path / 'out'}")
        assert not (tmp_path / "out" / "report.json").exists()
        build_ok(CORPUS_FILES[0], "-o", tmp_path / "elsewhere")  # another folder is free
    build_ok(CORPUS_FILES[0], "-o", tmp_path / "out")  # released


# --------------------------------------------------------------------------- incremental builds


def test_incremental_rebuild_processes_only_the_edited_document(tmp_path):
    folder = tmp_path / "in"
    docs = copy_corpus(folder)
    out = tmp_path / "out"
    build_ok(folder, "-o", out)
    first_build = graph_outputs(out)
    assert all("cached" not in f["timings"] for f in report(out)["files"])
    edited, donor = docs[1], CORPUS_FILES[3]
    keys_before = entity_keys_by_doc(out)[edited.name]

    # edit one document: it gains a paragraph of another, with that paragraph's entities
    donor_paragraphs = paragraphs(donor.read_text(encoding="utf-8"))
    write(edited, edited.read_text(encoding="utf-8") + "\n" + "\n".join(donor_paragraphs[:6]) + "\n")
    build_ok(folder, "-o", out)
    timings = {f["doc"]: f["timings"] for f in report(out)["files"]}
    assert [doc for doc, t in timings.items() if t != {"cached": True}] == [edited.name]
    assert "nlp" in timings[edited.name]
    assert graph_outputs(out) != first_build
    assert entity_keys_by_doc(out)[edited.name] > keys_before

    # the result equals a full rebuild, byte for byte
    build_ok(folder, "-o", tmp_path / "full", "--no-cache")
    assert all("cached" not in f["timings"] for f in report(tmp_path / "full")["files"])
    assert_same_outputs(out, tmp_path / "full")

    # a removed document's facts disappear
    removed = docs[4]
    only_there = {k for k in entity_keys_by_doc(out)[removed.name]
                  if all(k not in keys for doc, keys in entity_keys_by_doc(out).items() if doc != removed.name)}
    assert only_there
    removed.unlink()
    build_ok(folder, "-o", out)
    assert removed.name not in files_by_doc(out)
    assert all(f["timings"] == {"cached": True} for f in report(out)["files"])
    for name, data in graph_outputs(out).items():
        assert removed.name.encode() not in data, name
    assert not only_there & {row["key"] for row in read_csv(out / "entities.csv")}
    build_ok(folder, "-o", tmp_path / "full-after-removal", "--no-cache")
    assert_same_outputs(out, tmp_path / "full-after-removal")


# --------------------------------------------------------------------------- determinism and executors


@pytest.fixture(scope="module")
def reference_build(tmp_path_factory) -> Path:
    """The bundled corpus built by one process, without cache."""
    out = tmp_path_factory.mktemp("reference") / "out"
    build_ok(*CORPUS_FILES, "-o", out, "--no-cache", "-j", "1")
    return out


def test_two_builds_are_byte_identical(reference_build, tmp_path):
    build_ok(*CORPUS_FILES, "-o", tmp_path / "again", "--no-cache", "-j", "1")
    assert_same_outputs(reference_build, tmp_path / "again")
    assert_outputs_parse(reference_build)


def test_builds_in_fresh_processes_are_byte_identical(reference_build, tmp_path):
    """Separate runs, each with its own string-hash seed (set and dict order of str keys
    differ between runs), give the bytes of the reference build."""
    runs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [*KG_COMMAND, "build", *map(str, CORPUS_FILES), "-o", str(tmp_path / seed), "-q", "--no-cache"]
        runs.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    for run in runs:  # both run at once: two cores
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err.decode(errors="replace")[-2000:]
    assert_same_outputs(tmp_path / "1", tmp_path / "2")
    assert_same_outputs(reference_build, tmp_path / "1")


def test_two_worker_processes_give_the_same_outputs(reference_build, tmp_path):
    build_ok(*CORPUS_FILES, "-o", tmp_path / "j2", "--no-cache", "-j", "2")
    assert_same_outputs(reference_build, tmp_path / "j2")
    assert [f["status"] for f in report(tmp_path / "j2")["files"]] == ["ok"] * len(CORPUS_FILES)


def test_dask_local_cluster_gives_the_same_outputs(reference_build, tmp_path):
    pytest.importorskip("distributed")
    build_ok(*CORPUS_FILES, "-o", tmp_path / "dask", "--no-cache", "-j", "2", "--scheduler", "local")
    assert_same_outputs(reference_build, tmp_path / "dask")
    assert [f["status"] for f in report(tmp_path / "dask")["files"]] == ["ok"] * len(CORPUS_FILES)


def test_unreachable_dask_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    result = kg("build", CORPUS_FILES[0], "-o", tmp_path / "out", "-q", "--scheduler", "tcp://127.0.0.1:9")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: Cannot reach the Dask scheduler at tcp://127.0.0.1:9")


# --------------------------------------------------------------------------- Word and PDF


def blocks(text: str) -> list[str]:
    """The text's paragraphs (separated by blank lines), their line breaks kept."""
    return [b.strip("\n") for b in re.split(r"\n\s*\n", text) if b.strip()]


def make_docx(paras: list[str]) -> bytes:
    """A Word document, one paragraph per item; a line break inside an item becomes a manual
    line break, as in a Word file made from OCR output."""
    import docx

    document = docx.Document()
    document.add_heading(paras[0], level=1)
    for paragraph in paras[1:]:
        document.add_paragraph(paragraph)
    document.sections[0].header.paragraphs[0].text = "页眉"  # not body text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(paras: list[str]) -> bytes:
    """An A4 PDF in the Adobe CID font STSong-Light (no font file needed), with page numbers;
    one printed paragraph per line of each item, items set apart by paragraph spacing."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))

    def page_number(canvas, doc):
        canvas.setFont("STSong-Light", 9)
        canvas.drawCentredString(A4[0] / 2, 30, f"- {doc.page} -")

    style = ParagraphStyle("zh", fontName="STSong-Light", fontSize=11, leading=16, wordWrap="CJK")
    spaced = ParagraphStyle("zh-first", parent=style, spaceBefore=10)
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build(
        [Paragraph(line.replace("&", "&amp;").replace("<", "&lt;"), spaced if k == 0 else style)
         for p in paras for k, line in enumerate(p.split("\n"))],
        onFirstPage=page_number, onLaterPages=page_number)
    return buffer.getvalue()


@pytest.mark.parametrize(("corpus_file", "suffix"), [(path, suffix) for path in CORPUS_FILES for suffix in (".docx", ".pdf")],
                         ids=lambda v: v.stem[:3] if isinstance(v, Path) else v[1:])
def test_docx_and_pdf_give_the_entities_of_the_txt(corpus_file: Path, suffix: str, tmp_path):
    """A Word file with the text's paragraphs (OCR line breaks as manual line breaks) and a
    PDF printed from them (each OCR line a printed line, paragraphs spaced) give the
    entities of the .txt."""
    from kg.pipeline import process_path

    text = corpus_file.read_text(encoding="utf-8")
    data = make_docx(blocks(text)) if suffix == ".docx" else make_pdf(blocks(text))
    converted = write(tmp_path / f"{corpus_file.stem}{suffix}", data)
    found = {}
    for path in (corpus_file, converted):
        result = process_path(path)
        assert result.status == "ok", result.reason
        found[path.suffix] = {(e.type, e.name) for e in result.entities}
    assert found[".txt"]
    extra, missing = sorted(found[suffix] - found[".txt"]), sorted(found[".txt"] - found[suffix])
    assert (extra, missing) == ([], []), "(extra, missing) entities"
