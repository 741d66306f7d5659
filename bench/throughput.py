"""End-to-end `kg build` throughput against jieba segmentation alone (issue 8).

Usage (from the repo root)::

    python bench/throughput.py                     # 1x, 4x, 16x the corpus, -j 1 and -j 2 (~7 min)
    python bench/throughput.py --scales 1,4        # quick run (~2 min)
    python bench/throughput.py --scales 1 --profile   # plus a pyinstrument profile of one build

The corpus is ``../shared/datasets/gov_work_reports`` (72 government work reports, 3.3 MB,
JSON lines ``{title, url, content, year}``), written as one .txt per report into a
temporary folder; N x the corpus is N copies of those files under new names. Every
build runs ``kg build --no-cache`` in a process of its own (copies would otherwise be
cache hits), and the script measures in the same run:

* jieba alone (``jieba.lcut``, as spaCy's Chinese tokenizer calls it) on the same text:
  the reference throughput, in characters per second;
* per build: wall time, characters per second, peak RSS of the whole process tree
  (psutil, sampled every 0.1 s; ``getrusage(RUSAGE_CHILDREN)`` without psutil), and the
  time per stage: ingest, normalise and NLP summed over documents from ``report.json``,
  graph assembly + rendering of all outputs, and the rest (start-up, model load, writing);
* whether ``-j 2`` wrote the same bytes as ``-j 1`` (report.json excepted: it holds timings).

It prints Markdown tables to paste into the README, the issue 8 targets with PASS/FAIL,
and with ``--profile`` the hot spots of a single-process 1x build (pyinstrument).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "datasets" / "gov_work_reports" / "government_work_reports.jsonl"
KG_COMMAND = [sys.executable, "-c", "import sys; from kg.cli import main; sys.exit(main())"]
GRAPH_FILES = ("graph.ttl", "graph.trig", "graph.jsonld", "graph.graphml", "graph.html",
               "entities.csv", "relations.csv")
STAGES = ("ingest", "normalise", "nlp")

# Issue 8 acceptance targets.
MIN_SHARE_OF_JIEBA = 0.2
MAX_SECONDS_1X_TWO_CORES = 30.0
MAX_PEAK_RSS = 2 * 1024**3
MAX_COST_16X = 17.0
MIN_SPEEDUP_TWO_WORKERS = 1.7


@dataclass
class Run:
    """One `kg build` of ``scale`` x the corpus with ``jobs`` worker processes."""

    scale: int
    jobs: int
    chars: int
    wall: float
    peak_rss: int  # bytes, whole process tree
    cpu: float = 0.0  # user + system seconds of the whole process tree
    load: float = 0.0  # 1-minute load average when the build started (other work on the machine)
    stages: dict[str, float] = field(default_factory=dict)  # seconds summed over documents
    extract: float = 0.0  # build's own timings: extraction phase, graph + outputs
    render: float = 0.0
    documents: int = 0
    pipeline: str = ""  # kg's pipeline version (code + data fingerprint) that built it
    identical_to_j1: bool | None = None  # None: not compared, or kg's code changed in between

    @property
    def chars_per_s(self) -> float:
        return self.chars / self.wall

    @property
    def chars_per_cpu_s(self) -> float:
        """Throughput per CPU-second: what one uncontended core would reach."""
        return self.chars / self.cpu if self.cpu else 0.0

    @property
    def other(self) -> float:
        """Start-up, imports, model load and writing: the wall time outside extract + render."""
        return self.wall - self.extract - self.render


def load_reports(path: Path) -> list[tuple[str, str]]:
    """``(file name, text)`` of every report, named by position and year."""
    reports = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh):
            row = json.loads(line)
            reports.append((f"{number:03d}_{row.get('year') or 'na'}.txt", row["content"]))
    return reports


def write_corpus(folder: Path, reports: list[tuple[str, str]], scale: int) -> int:
    """``scale`` copies of the reports in ``folder``; returns the number of characters."""
    folder.mkdir(parents=True, exist_ok=True)
    chars = 0
    for copy in range(scale):
        for name, text in reports:
            (folder / f"c{copy:02d}_{name}").write_text(text, encoding="utf-8")
            chars += len(text)
    return chars


def jieba_throughput(texts: list[str]) -> float:
    """Characters per second of jieba segmentation alone (dictionary loaded beforehand)."""
    import jieba

    jieba.setLogLevel(60)
    jieba.initialize()
    started = time.perf_counter()
    for text in texts:
        jieba.lcut(text)  # cut_all=False, HMM=True: what spaCy's zh tokenizer runs
    return sum(map(len, texts)) / (time.perf_counter() - started)


class TreeMemory:
    """Peak RSS of a process and all its descendants, sampled in a background thread."""

    def __init__(self, pid: int, interval: float = 0.1):
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        try:
            import psutil
        except ImportError:
            return  # fall back to getrusage in build()
        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self._stop.is_set():
            try:
                tree = [root, *root.children(recursive=True)]
                total = 0
                for proc in tree:
                    try:
                        total += proc.memory_info().rss
                    except psutil.NoSuchProcess:
                        pass
                self.peak = max(self.peak, total)
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)


def build(corpus: Path, out: Path, scale: int, jobs: int, chars: int) -> Run:
    """Run ``kg build --no-cache -q -j JOBS`` in a subprocess and measure it."""
    shutil.rmtree(out, ignore_errors=True)
    command = [*KG_COMMAND, "build", str(corpus), "-o", str(out), "-j", str(jobs), "--no-cache", "-q"]
    load = os.getloadavg()[0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with TreeMemory(proc.pid) as memory:
        _, err = proc.communicate()
    wall = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before  # the build and its worker processes, once all are waited for
    if proc.returncode != 0:
        raise SystemExit(f"kg build failed ({proc.returncode}):\n{err.decode(errors='replace')[-3000:]}")
    peak = memory.peak or resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    stages = {stage: sum(f.get("timings", {}).get(stage, 0.0) for f in report["files"]) for stage in STAGES}
    return Run(scale=scale, jobs=jobs, chars=chars, wall=wall, peak_rss=peak, cpu=cpu, load=load, stages=stages,
               extract=report["timings"]["extract"], render=report["timings"]["graph_and_render"],
               documents=report["counts"]["ok"], pipeline=report["pipeline"])


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def same_outputs(a: Path, b: Path) -> bool:
    return all((a / name).read_bytes() == (b / name).read_bytes() for name in GRAPH_FILES)


def profile(corpus: Path, out: Path, top: int = 15) -> str:
    """Markdown tables of the hot spots of an in-process single-process build (pyinstrument)."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "(pyinstrument is not installed: `pip install pyinstrument` to profile)\n"
    sys.path.insert(0, str(ROOT))
    from kg.pipeline import build as kg_build

    shutil.rmtree(out, ignore_errors=True)
    profiler = Profiler(interval=0.002)
    profiler.start()
    kg_build([corpus], out, jobs=1, use_cache=False, progress=False)
    profiler.stop()
    session = profiler.last_session
    (out.parent / "profile.html").write_text(profiler.output_html(), encoding="utf-8")
    # Frames are merged by function and file (pyinstrument keeps one node per call site);
    # pyinstrument's own "[self]" nodes are skipped: their time is the parent's self time.
    own: dict[tuple[str, str], float] = {}
    inclusive: dict[tuple[str, str], float] = {}
    where: dict[tuple[str, str], str] = {}

    def walk(frame, active: frozenset) -> None:
        if frame.is_synthetic:
            return
        key = (frame.function, _short(frame.file_path or "", None))
        where.setdefault(key, _short(frame.file_path or "", frame.line_no))
        own[key] = own.get(key, 0.0) + frame.total_self_time
        if key not in active:  # count a recursive function's time once
            inclusive[key] = inclusive.get(key, 0.0) + frame.time
        for child in frame.children:
            walk(child, active | {key})

    for top_frame in session.root_frame().children:  # below the thread's root
        walk(top_frame, frozenset())
    total = inclusive.get(("build", "kg/pipeline.py"), session.duration)
    heading = (f"Profile of one single-process build of the 1x corpus (`kg.pipeline.build`, {total:.1f} s "
               f"under the profiler; full tree: {out.parent / 'profile.html'}). % of that time.")
    lines = [heading, "", "| self time | % | function | where |", "|---:|---:|---|---|"]
    for key, seconds in sorted(own.items(), key=lambda x: -x[1])[:top]:
        lines.append(f"| {seconds:.2f} s | {100 * seconds / total:.1f} | `{key[0]}` | {where[key]} |")
    lines += ["", "kg functions by inclusive time (their callees included):", "",
              "| inclusive | % | function | where |", "|---:|---:|---|---|"]
    kg_frames = [(k, v) for k, v in inclusive.items() if k[1].startswith("kg/")]
    for key, seconds in sorted(kg_frames, key=lambda x: -x[1])[:top]:
        lines.append(f"| {seconds:.2f} s | {100 * seconds / total:.1f} | `{key[0]}` | {where[key]} |")
    return "\n".join(lines) + "\n"


def _short(path: str, line: int | None) -> str:
    """``kg/nlp/orgs.py:143`` for project code, ``spacy/language.py`` for libraries."""
    path = path.replace("\\", "/")
    if str(ROOT) in path:
        short = Path(path).relative_to(ROOT).as_posix()
        return f"{short}:{line}" if line else short
    for marker in ("site-packages/", "lib/python3"):
        if marker in path:
            return path.split(marker, 1)[1].lstrip("/0123456789.")
    return path


def mib(n: int) -> str:
    return f"{n / 2**20:,.0f} MiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the gov_work_reports JSON lines file")
    parser.add_argument("--scales", default="1,4,16", help="corpus multiples, e.g. 1,4,16 (default) or 1,4")
    parser.add_argument("--jobs", default="1,2", help="worker processes to compare (default 1,2)")
    parser.add_argument("--profile", action="store_true", help="also profile a 1x single-process build")
    parser.add_argument("--workdir", type=Path, help="keep corpora and outputs here (default: a temp folder)")
    args = parser.parse_args(argv)
    if not args.data.exists():
        parser.error(f"{args.data} not found: pass --data PATH to government_work_reports.jsonl")
    scales = sorted({int(s) for s in args.scales.split(",")})
    jobs_list = sorted({int(j) for j in args.jobs.split(",")})

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="kg-throughput-"))
    workdir.mkdir(parents=True, exist_ok=True)
    reports = load_reports(args.data)
    jieba_cps = jieba_throughput([text for _, text in reports])
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"# kg build throughput ({len(reports)} reports, {sum(len(t) for _, t in reports):,} characters, "
          f"{args.data.stat().st_size / 1e6:.1f} MB; {cores} cores)\n", flush=True)

    runs: list[Run] = []
    for scale in scales:
        corpus = workdir / f"corpus-{scale}x"
        shutil.rmtree(corpus, ignore_errors=True)
        chars = write_corpus(corpus, reports, scale)
        for jobs in jobs_list:
            run = build(corpus, workdir / f"out-{scale}x-j{jobs}", scale, jobs, chars)
            first = next((r for r in runs if r.scale == scale and r.jobs == jobs_list[0]), None)
            if first is not None and first.pipeline == run.pipeline:
                run.identical_to_j1 = same_outputs(workdir / f"out-{scale}x-j{jobs_list[0]}",
                                                   workdir / f"out-{scale}x-j{jobs}")
            runs.append(run)
            print(f"  {scale}x -j {jobs}: {run.wall:.1f} s, {run.chars_per_s:,.0f} chars/s, "
                  f"peak {mib(run.peak_rss)}", file=sys.stderr, flush=True)
        shutil.rmtree(corpus)

    by_scale_jobs = {(r.scale, r.jobs): r for r in runs}
    print(f"jieba segmentation alone: **{jieba_cps:,.0f} chars/s** (one core, same text, same run)\n")
    print("| corpus | docs | chars | -j | wall | chars/s | x jieba | CPU | chars/CPU-s | peak RSS | ingest "
          "| normalise | nlp | graph+outputs | start-up etc. | load avg | same bytes as -j 1 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for r in runs:
        first = by_scale_jobs.get((r.scale, jobs_list[0]))
        if r.identical_to_j1 is None:
            same = "" if first is r else "n/a: kg's code changed between the builds"
        else:
            same = "yes" if r.identical_to_j1 else "**NO**"
        print(f"| {r.scale}x | {r.documents} | {r.chars:,} | {r.jobs} | {r.wall:.1f} s | {r.chars_per_s:,.0f} "
              f"| {r.chars_per_s / jieba_cps:.2f} | {r.cpu:.1f} s | {r.chars_per_cpu_s:,.0f} | {mib(r.peak_rss)} "
              f"| {r.stages['ingest']:.1f} s "
              f"| {r.stages['normalise']:.1f} s | {r.stages['nlp']:.1f} s | {r.render:.1f} s "
              f"| {r.other:.1f} s | {r.load:.1f} | {same} |")
    print("\nStage times are summed over documents (with -j 2, over both workers); wall = the whole "
          "`kg build` process, start-up and model loading included; CPU = user + system time of the build's "
          "process tree; load avg = the machine's 1-minute load when the build started (above 0 means "
          "other work competed for the cores and wall times are pessimistic).\n")

    print("| target (issue 8) | measured | |")
    print("|---|---|---|")
    by = {(r.scale, r.jobs): r for r in runs}

    def verdict(ok: bool) -> str:
        return "PASS" if ok else "**FAIL**"

    if (1, 1) in by:
        share = by[1, 1].chars_per_s / jieba_cps
        print(f"| one core >= {MIN_SHARE_OF_JIEBA} x jieba-only | {share:.2f} x "
              f"({by[1, 1].chars_per_s:,.0f} / {jieba_cps:,.0f} chars/s; per CPU-second "
              f"{by[1, 1].chars_per_cpu_s / jieba_cps:.2f} x) | {verdict(share >= MIN_SHARE_OF_JIEBA)} |")
    if (1, 2) in by:
        wall = by[1, 2].wall
        print(f"| 1x corpus on 2 cores <= {MAX_SECONDS_1X_TWO_CORES:.0f} s | {wall:.1f} s "
              f"| {verdict(wall <= MAX_SECONDS_1X_TWO_CORES)} |")
    peak = max(r.peak_rss for r in runs)
    print(f"| peak RSS <= 2 GiB | {mib(peak)} (largest run) | {verdict(peak <= MAX_PEAK_RSS)} |")
    for jobs in jobs_list:
        if (1, jobs) in by and (16, jobs) in by:
            cost = by[16, jobs].wall / by[1, jobs].wall
            print(f"| 16x costs <= {MAX_COST_16X:.0f} x 1x (-j {jobs}) | {cost:.1f} x "
                  f"| {verdict(cost <= MAX_COST_16X)} |")
    if 1 in jobs_list and 2 in jobs_list:
        for scale in scales:
            speedup = by[scale, 1].wall / by[scale, 2].wall
            same = by[scale, 2].identical_to_j1
            bytes_ = {True: "identical", False: "DIFFERENT", None: "not compared (kg's code changed)"}[same]
            print(f"| -j 2 >= {MIN_SPEEDUP_TWO_WORKERS} x -j 1, same bytes ({scale}x) | {speedup:.2f} x, {bytes_} "
                  f"| {verdict(speedup >= MIN_SPEEDUP_TWO_WORKERS and same is not False)} |")
    print()

    if args.profile:
        corpus = workdir / "corpus-1x"
        write_corpus(corpus, reports, 1)
        print(profile(corpus, workdir / "out-profile"))
    if not args.workdir:  # keep only the profile
        for child in workdir.iterdir():
            if child.name != "profile.html":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        if not any(workdir.iterdir()):
            workdir.rmdir()
    return 0


if __name__ == "__main__":
    sys.exit(main())
