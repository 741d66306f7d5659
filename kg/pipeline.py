"""The per-document pipeline and the corpus build.

ingest → normalise → entities → resolution → relations (one document at a time, see
:func:`extract_source`), then graph → outputs for the whole corpus (:func:`build`).

A document's result depends only on its bytes and the pipeline version, so results are
cached by content hash, computed in any number of worker processes, and still give
byte-identical outputs.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Sequence

from kg import __version__
from kg.doc import DocResult, Entity, Mention, Relation
from kg.errors import KgError
from kg.files import write_atomic
from kg.ingest import DEFAULT_MAX_BYTES

PACKAGE_DIR = Path(__file__).resolve().parent
DEFAULT_CORPUS = PACKAGE_DIR.parent / "corpus"


@lru_cache(maxsize=1)
def pipeline_version() -> str:
    """A fingerprint of everything that decides what a document yields.

    The package version plus a hash of the code, configuration, gazetteers and model
    files: a cached result is reused only when all of them are unchanged.
    """
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(PACKAGE_DIR)).encode())
            digest.update(path.read_bytes())
    return f"{__version__}+{digest.hexdigest()[:12]}"


@lru_cache(maxsize=1)
def load_nlp():
    """The spaCy pipeline with kg's stages, loaded once per process."""
    import logging

    import jieba

    from kg import nlp as kg_nlp
    from kg import relations, resolve  # noqa: F401  (register their factories)

    jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on every run
    nlp = kg_nlp.load()
    nlp.add_pipe("kg_resolver")
    nlp.add_pipe("kg_relations")
    return nlp


def extract_text(text: str, name: str = "text", path: str = "") -> DocResult:
    """Run the pipeline on a string (convenient for notebooks and tests)."""
    from kg.ingest import Source

    raw = text.encode("utf-8")
    source = Source(name=name, path=path or name, text=text, encoding="utf-8", format="txt",
                    sha256=hashlib.sha256(raw).hexdigest(), size=len(raw))
    return extract_source(source)


# The NLP stages see a long document in pieces of about this many characters, cut at
# paragraph breaks: memory stays bounded whatever the file size, and spaCy's max_length
# is never reached. Most news pages and notices are a single piece.
CHUNK_CHARS = 100_000


def text_chunks(text: str, size: int = CHUNK_CHARS) -> list[tuple[int, int]]:
    """``(start, end)`` pieces of ``text`` of at most about ``size`` characters, cut after
    a line break (else after a sentence end, else anywhere) so no sentence is split
    unless a line is longer than ``size``."""
    pieces, start = [], 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = window.rfind("\n")
        if cut < size // 2:
            cut = max(window.rfind(c) for c in "。！？；")
        end = start + (cut + 1 if cut >= size // 2 else size)
        pieces.append((start, end))
        start = end
    pieces.append((start, len(text)))
    return pieces


def extract_source(source) -> DocResult:
    """Entities and relations of one ingested document (:class:`kg.ingest.Source`)."""
    from kg.normalize import normalise

    t0 = time.perf_counter()
    # OCR'd text keeps its broken lines when pasted into Word or printed to PDF; HTML
    # paragraphs come from markup, so their breaks are real.
    norm = normalise(source.text, join_broken_lines=source.format != "html")
    t1 = time.perf_counter()
    nlp = load_nlp()
    entities: dict[str, Entity] = {}
    relations: dict[tuple[str, str, str], Relation] = {}
    for offset, end in text_chunks(norm.text):
        doc = nlp(norm.text[offset:end])

        def raw_span(start: int, stop: int) -> tuple[int, int]:
            return norm.span_to_raw(offset + start, offset + stop)

        for ent in doc._.kg_entities:
            mentions = []
            for m in ent.mentions:
                s, e = raw_span(m.start, m.end)
                mentions.append(Mention(s, e, source.text[s:e], m.rule))
            known = entities.get(ent.key)
            if known is None:  # the same entity in several pieces is one entity
                entities[ent.key] = Entity(ent.key, ent.type, ent.name, ent.aliases, mentions, ent.attrs)
            else:
                known.aliases = sorted(set(known.aliases) | set(ent.aliases) | {ent.name} - {known.name})
                known.mentions.extend(mentions)
                for k, v in ent.attrs.items():
                    known.attrs.setdefault(k, v)
        for rel in doc._.kg_relations:
            s, e = raw_span(rel.start, rel.end)
            relations.setdefault((rel.head, rel.relation, rel.tail), Relation(
                rel.head, rel.relation, rel.tail, source.text[s:e], s, e, rel.rule, rel.confidence, rel.attrs))
    t2 = time.perf_counter()
    return DocResult(
        doc=source.name, path=source.path, sha256=source.sha256, chars=len(source.text),
        encoding=source.encoding, format=source.format, warnings=list(source.warnings),
        entities=list(entities.values()), relations=list(relations.values()),
        timings={"normalise": round(t1 - t0, 4), "nlp": round(t2 - t1, 4)},
    )


def document_ids(inputs: Sequence[Path], files: Sequence[Path]) -> list[str]:
    """The name each document goes by in the graph: its path relative to the folder it
    was found in (``2023/report.txt``), or its file name when it was named directly.
    Two folders holding a file of the same name thus give two documents."""
    roots = [Path(p).resolve() for p in inputs if Path(p).is_dir()]
    ids = []
    for f in files:
        full = Path(f).resolve()
        root = next((r for r in roots if full.is_relative_to(r)), None)
        ids.append(full.relative_to(root).as_posix() if root else Path(f).name)
    seen: dict[str, int] = {}
    for i, doc in enumerate(ids):  # the same name given twice: keep both, told apart
        seen[doc] = seen.get(doc, 0) + 1
        if seen[doc] > 1:
            ids[i] = f"{doc}#{seen[doc]}"
    return ids


def process_path(path: Path, max_bytes: int = DEFAULT_MAX_BYTES, cache_dir: Path | None = None,
                 doc_id: str | None = None) -> DocResult:
    """Ingest and extract one file. Never raises for a bad document: the result's
    ``status`` says ``skipped`` (unreadable input) or ``failed`` (a bug), with the reason."""
    from kg.ingest import IngestError, read_document

    path = Path(path)
    doc_id = doc_id or path.name
    t0 = time.perf_counter()
    try:
        source = read_document(path, max_bytes=max_bytes)
    except IngestError as err:
        return DocResult(doc=doc_id, path=str(path), sha256="", chars=0, status="skipped", reason=str(err))
    source = replace(source, name=doc_id)
    cached = _cache_path(cache_dir, source.sha256)
    if cached is not None and cached.exists():
        result = DocResult.from_dict(json.loads(cached.read_text(encoding="utf-8")))
        result.doc, result.path = source.name, source.path
        result.timings = {"cached": True}
        return result
    try:
        result = extract_source(source)
    except Exception as err:  # one bad document must not stop the batch
        return DocResult(doc=source.name, path=source.path, sha256=source.sha256, chars=len(source.text),
                         status="failed", reason=f"{type(err).__name__}: {err}",
                         encoding=source.encoding, format=source.format)
    result.timings["ingest"] = round(time.perf_counter() - t0 - sum(result.timings.values()), 4)
    if cached is not None:
        write_atomic(cached, json.dumps(result.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return result


def _cache_path(cache_dir: Path | None, sha256: str) -> Path | None:
    if cache_dir is None:
        return None
    return Path(cache_dir) / pipeline_version() / f"{sha256}.json"


def _worker_init() -> None:
    load_nlp()


def extract_paths(
    paths: Sequence[Path],
    *,
    jobs: int = 1,
    max_bytes: int = DEFAULT_MAX_BYTES,
    cache_dir: Path | None = None,
    progress: bool = True,
    scheduler: str | None = None,
    doc_ids: Sequence[str] | None = None,
) -> Iterator[DocResult]:
    """Results for ``paths`` (named ``doc_ids``, by default their file names), in the order given, computed by ``jobs`` local processes,
    or by a Dask cluster when ``scheduler`` is given (an address such as
    ``tcp://10.0.0.5:8786``, or ``local`` for a cluster of ``jobs`` workers on this machine).

    The same function runs on every document whichever executor runs it, and results
    come back in input order, so the outputs never depend on the executor."""
    from tqdm import tqdm

    doc_ids = list(doc_ids) if doc_ids is not None else [Path(p).name for p in paths]
    bar = tqdm(total=len(paths), unit="doc", desc="extract", disable=not progress or None, file=sys.stderr)
    try:
        if scheduler:
            for result in _extract_on_dask(paths, doc_ids, scheduler, jobs, max_bytes, cache_dir):
                yield result
                bar.update()
            return
        if jobs <= 1 or len(paths) <= 1:
            for path, doc_id in zip(paths, doc_ids):
                yield process_path(path, max_bytes, cache_dir, doc_id)
                bar.update()
            return
        with ProcessPoolExecutor(max_workers=jobs, initializer=_worker_init) as pool:
            # Largest documents first, so no worker is left with a long one at the end.
            order = sorted(range(len(paths)), key=lambda i: -_size(paths[i]))
            futures = [None] * len(paths)
            for i in order:
                futures[i] = pool.submit(process_path, paths[i], max_bytes, cache_dir, doc_ids[i])
            for fut in futures:  # in input order: the outputs do not depend on scheduling
                yield fut.result()
                bar.update()
    finally:
        bar.close()


def _size(path: Path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0  # process_path reports it


def _extract_on_dask(paths, doc_ids, scheduler: str, jobs: int, max_bytes: int, cache_dir) -> Iterator[DocResult]:
    """Run :func:`process_path` on a Dask cluster. Workers need kg installed and the
    documents (and cache folder) at the same paths, e.g. on a shared file system."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise KgError("The Dask executor needs the 'distributed' package.",
                      hint="pip install 'kg[dask]' (or: pip install 'dask[distributed]').") from None
    paths = [str(Path(p).resolve()) for p in paths]
    cluster = None
    if scheduler == "local":
        cluster = LocalCluster(n_workers=max(jobs, 1), threads_per_worker=1, processes=True,
                               dashboard_address=None, host="127.0.0.1")
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="5s")
        except OSError as err:
            raise KgError(f"Cannot reach the Dask scheduler at {scheduler}: {err}",
                          hint="Start one with `dask scheduler` and workers with `dask worker ADDRESS`.") from None
    try:
        n = len(paths)
        futures = client.map(process_path, paths, [max_bytes] * n, [cache_dir] * n, doc_ids, pure=False)
        for future in futures:
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


OUTPUT_FILES = ("graph.ttl", "graph.trig", "graph.jsonld", "graph.graphml", "graph.html",
                "entities.csv", "relations.csv", "report.json")


class OutputLock:
    """An exclusive lock on an output folder, so two builds never write it at once."""

    def __init__(self, outdir: Path):
        self.path = Path(outdir) / ".kg.lock"
        self.fh = None

    def __enter__(self) -> "OutputLock":
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "a+")
        try:
            fcntl.flock(self.fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.fh.close()
            raise KgError(f"Another kg build is writing to {self.path.parent}.",
                          hint="Wait for it to finish, or build into another folder with -o DIR.") from None
        return self

    def __exit__(self, *exc) -> None:
        import fcntl

        fcntl.flock(self.fh, fcntl.LOCK_UN)
        self.fh.close()


@dataclass
class BuildReport:
    """What a build did: per-file status, counts and timings (``report.json``)."""

    files: list[dict] = field(default_factory=list)
    counts: dict = field(default_factory=dict)
    timings: dict = field(default_factory=dict)
    pipeline: str = ""

    @property
    def failed(self) -> list[dict]:
        return [f for f in self.files if f["status"] != "ok"]

    def to_json(self) -> str:
        return json.dumps(
            {"pipeline": self.pipeline, "counts": self.counts, "timings": self.timings, "files": self.files},
            ensure_ascii=False, indent=2, sort_keys=True,
        ) + "\n"


def _display_path(path) -> str:
    """A path as the user would write it: relative to the working folder when inside it."""
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def render_outputs(corpus, *, base: str | None = None, title: str = "kg") -> dict[str, bytes]:
    """Every graph output of a corpus, as bytes keyed by file name (no I/O)."""
    from kg import rdf, viz
    from kg.graph import entities_table, networkx_bytes, relations_table, to_networkx

    dataset = rdf.to_dataset(corpus, base=base)
    outputs = {name: rdf.serialize(dataset, fmt, base=base) for name, fmt in
               (("graph.ttl", "turtle"), ("graph.trig", "trig"), ("graph.jsonld", "json-ld"))}
    graph = to_networkx(corpus)
    outputs["graph.graphml"] = networkx_bytes(graph, "graphml")
    outputs["graph.html"] = viz.render_html(graph, title=title).encode("utf-8")
    outputs["entities.csv"] = entities_table(corpus).encode("utf-8")
    outputs["relations.csv"] = relations_table(corpus).encode("utf-8")
    return outputs


def build(
    paths: Sequence[Path] = (),
    outdir: Path = Path("outputs"),
    *,
    jobs: int = 1,
    use_cache: bool = True,
    max_bytes: int = DEFAULT_MAX_BYTES,
    base: str | None = None,
    progress: bool = True,
    scheduler: str | None = None,
) -> BuildReport:
    """Build the graph of ``paths`` (files or folders; the bundled corpus when empty)
    into ``outdir``. Outputs are replaced only once everything is ready, so an
    interrupted build leaves the previous outputs as they were."""
    from kg.graph import Corpus
    from kg.ingest import iter_documents

    started = time.perf_counter()
    # the bundled corpus is its .txt documents (not its README)
    paths = [Path(p) for p in paths] or sorted(DEFAULT_CORPUS.glob("*.txt"))
    outdir = Path(outdir)
    with OutputLock(outdir):
        staging = outdir / ".staging"
        shutil.rmtree(staging, ignore_errors=True)  # left by a build that was killed
        files, skipped = iter_documents(paths)
        # never read our own outputs (`kg build .` writes into ./outputs)
        out = outdir.resolve()
        files = [f for f in files if not Path(f).resolve().is_relative_to(out)]
        skipped = [(p, r) for p, r in skipped if not Path(p).resolve().is_relative_to(out)]
        report = BuildReport(pipeline=pipeline_version())
        cache_dir = outdir / ".kg-cache" if use_cache else None
        results = []
        for res in extract_paths(files, jobs=jobs, max_bytes=max_bytes, cache_dir=cache_dir,
                                 progress=progress, scheduler=scheduler, doc_ids=document_ids(paths, files)):
            results.append(res)
            report.files.append({
                "doc": res.doc, "path": _display_path(res.path), "status": res.status, "reason": res.reason,
                "format": res.format, "encoding": res.encoding, "chars": res.chars,
                "entities": len(res.entities), "relations": len(res.relations), "timings": res.timings,
                "warnings": res.warnings,
            })
        for path, reason in skipped:
            report.files.append({"doc": Path(path).name, "path": _display_path(path), "status": "skipped",
                                 "reason": reason, "format": "", "encoding": "", "chars": 0,
                                 "entities": 0, "relations": 0})
        report.files.sort(key=lambda f: f["path"])
        t_extract = time.perf_counter()
        corpus = Corpus.assemble(results)
        outputs = render_outputs(corpus, base=base)
        t_render = time.perf_counter()
        report.counts = {
            "documents": len(report.files),
            "ok": sum(f["status"] == "ok" for f in report.files),
            "skipped": sum(f["status"] == "skipped" for f in report.files),
            "failed": sum(f["status"] == "failed" for f in report.files),
            "entities": len(corpus.entities),
            "relations": len(corpus.relations),
        }
        report.timings = {
            "extract": round(t_extract - started, 3),
            "graph_and_render": round(t_render - t_extract, 3),
        }
        outputs["report.json"] = report.to_json().encode("utf-8")
        # Write every file into a staging folder first, then rename them all into place:
        # the renames take microseconds, and report.json goes last, so a report always
        # describes the graph files beside it.
        staging.mkdir()
        for name in OUTPUT_FILES:
            with open(staging / name, "wb") as fh:
                fh.write(outputs[name])
                fh.flush()
                os.fsync(fh.fileno())
        for name in OUTPUT_FILES:
            os.replace(staging / name, outdir / name)
        staging.rmdir()
        if cache_dir is not None:  # results of older pipeline versions will never be read again
            for old in cache_dir.glob("*"):
                if old.name != pipeline_version():
                    shutil.rmtree(old, ignore_errors=True)
    return report
