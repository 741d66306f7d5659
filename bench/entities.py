"""Benchmark the organisation (ORG) recogniser on public Chinese NER data sets.

Usage (from the repo root)::

    python bench/entities.py                      # full run, shipped model
    python bench/entities.py --limit 300          # quick run: first 300 sentences per set
    python bench/entities.py --model kg/models/ner --data ../shared/datasets

It prints precision / recall / F1 on exact character spans per type for

(a) the project's gold graphs (``tests/data/gold``, via ``kg eval``) -- see
    :func:`score_gold_graphs`, left for the lead to wire up;
(b) CLUENER2020 dev: government + company + organization -> ORG, address -> LOC;
(c) MSRA test and People's Daily test: ORG, LOC,

plus the recogniser's throughput in characters per second, next to the published reference
scores from the data sets' README.

Everything is built around a *recogniser*: any callable ``text -> list[(start, end, label)]``
with ``end`` exclusive. By default the trained spaCy model alone is used
(:class:`SpacyRecogniser`); the full kg pipeline can be plugged in the same way.

The dataset readers here are also used by ``scripts/train_ner.py`` so that training and
scoring read the data identically.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from kg.evaluate import Counts  # noqa: E402  (P/R/F1 counts, as `kg eval` keeps them)

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets"
DEFAULT_MODEL = REPO_ROOT / "kg" / "models" / "ner"

Span = tuple[int, int, str]
"""A labelled character span: (start, end exclusive, label)."""

Recogniser = Callable[[str], list[Span]]
"""Anything that finds labelled spans in a text."""

# CLUENER2020 fine-grained labels folded into the coarse types this project uses. The other
# CLUENER labels (book, game, movie, position, scene) are not entities for us.
CLUENER_TO_COARSE = {
    "government": "ORG",
    "company": "ORG",
    "organization": "ORG",
    "address": "LOC",
    "name": "PER",
}

# Published F1 (x100) per set and type, from /work/shared/datasets/README.md. CLUENER reports
# government/company/organization separately: we quote them as-is because no merged ORG
# figure is published.
REFERENCE_SCORES = {
    "cluener_dev": {
        "ORG": "gov 77.25/87.03/88.17, company 72.27/81.42/83.02, organization 75.96/79.43/82.34 "
        "(BiLSTM-CRF/BERT/RoBERTa-large)",
        "LOC": "address 45.50/60.89/62.63 (BiLSTM-CRF/BERT/RoBERTa-large)",
    },
    "msra_test": {"ALL": "Lattice LSTM 93.18, BERT 95.3 (all types)"},
    "peoples_daily_test": {"ALL": "BERT 95.2 (all types)"},
}


@dataclass(frozen=True)
class Example:
    """One sentence with its gold spans (end exclusive, coarse labels)."""

    text: str
    spans: tuple[Span, ...]


# ---------------------------------------------------------------------------------------------
# Dataset readers
# ---------------------------------------------------------------------------------------------


def read_cluener(path: Path) -> Iterator[Example]:
    """Read CLUENER2020 JSON lines; labels are folded with :data:`CLUENER_TO_COARSE`.

    CLUENER ends are inclusive; they are made exclusive here. A mention is checked against the
    text so that a corrupt offset fails loudly rather than silently scoring wrong.
    """
    with path.open(encoding="utf-8") as lines:
        for line_no, line in enumerate(lines, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            text = record["text"]
            spans = set()
            for fine_label, mentions in record.get("label", {}).items():
                coarse = CLUENER_TO_COARSE.get(fine_label)
                if coarse is None:
                    continue
                for mention, offsets in mentions.items():
                    for start, end_inclusive in offsets:
                        if text[start : end_inclusive + 1] != mention:
                            raise ValueError(
                                f"{path}:{line_no}: span {start}-{end_inclusive} is not {mention!r}"
                            )
                        spans.add((start, end_inclusive + 1, coarse))
            yield Example(text, tuple(sorted(spans)))


def read_bio(path: Path) -> Iterator[Example]:
    """Read a one-character-per-line BIO file (MSRA: tab separated, People's Daily: space).

    Sentences are separated by blank lines. An I- tag that does not continue a span of the same
    type starts a new span (the usual lenient BIO reading).
    """
    chars: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for line_no, line in enumerate(lines, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if chars:
                    yield Example("".join(chars), tuple(bio_to_spans(tags)))
                    chars, tags = [], []
                continue
            parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
            if len(parts) != 2 or len(parts[0]) != 1:
                raise ValueError(
                    f"{path}:{line_no}: expected 'CHAR<sep>TAG', got {line!r}"
                )
            chars.append(parts[0])
            tags.append(parts[1])
    if chars:
        yield Example("".join(chars), tuple(bio_to_spans(tags)))


def bio_to_spans(tags: Sequence[str]) -> list[Span]:
    """Turn per-character BIO tags into (start, end exclusive, label) spans."""
    spans: list[Span] = []
    start, label = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, tag_label = tag.partition("-")
        continues = prefix == "I" and tag_label == label
        if start is not None and not continues:
            spans.append((start, i, label))
            start, label = None, None
        if prefix == "B" or (prefix == "I" and not continues):
            start, label = i, tag_label
    return spans


@dataclass(frozen=True)
class EvalSet:
    """A named evaluation set: where it lives and how to read it."""

    name: str
    relative_path: str
    reader: Callable[[Path], Iterator[Example]]
    types: tuple[str, ...]


EVAL_SETS = (
    EvalSet("cluener_dev", "cluener2020/dev.json", read_cluener, ("ORG", "LOC")),
    EvalSet("msra_test", "msra_ner/msra_test_bio.txt", read_bio, ("ORG", "LOC")),
    EvalSet(
        "peoples_daily_test", "peoples_daily_ner/example.test", read_bio, ("ORG", "LOC")
    ),
)


# ---------------------------------------------------------------------------------------------
# Recognisers
# ---------------------------------------------------------------------------------------------


class SpacyRecogniser:
    """The trained spaCy model alone, as a recogniser (loaded offline from a directory)."""

    def __init__(self, model_path: Path = DEFAULT_MODEL) -> None:
        from kg.nlp.orgs import _load_model

        if not (model_path / "meta.json").exists():
            raise SystemExit(
                f"No spaCy model at {model_path}; build it with: python scripts/train_ner.py"
            )
        self.nlp = _load_model(str(model_path.resolve()))  # as kg loads it (numpy BLAS, one thread)

    def __call__(self, text: str) -> list[Span]:
        return [
            (ent.start_char, ent.end_char, ent.label_) for ent in self.nlp(text).ents
        ]

    def pipe(self, texts: Iterable[str]) -> Iterator[list[Span]]:
        """Batch version of __call__ (spaCy is faster on batches); same results."""
        for doc in self.nlp.pipe(texts, batch_size=256):
            yield [(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]


class KgRecogniser:
    """kg's whole entity recogniser (normalisation, rules, gazetteer and the model), as used
    by `kg build`. Its DISTRICT mentions are scored as LOC; PROJECT and POLICY have no
    counterpart in these data sets and are left out."""

    LABELS = {"ORG": "ORG", "DISTRICT": "LOC"}

    def __init__(self) -> None:
        from kg.nlp import recognise

        self._recognise = recognise

    def __call__(self, text: str) -> list[Span]:
        return [(s, e, self.LABELS[label]) for s, e, label in self._recognise(text) if label in self.LABELS]


# ---------------------------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------------------------


@dataclass
class SetResult:
    """Scores of one recogniser on one evaluation set."""

    name: str
    scores: dict[str, Counts] = field(default_factory=dict)
    n_chars: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def score_spans(
    gold: Iterable[Iterable[Span]], pred: Iterable[Iterable[Span]], types: Sequence[str]
) -> dict[str, Counts]:
    """Exact character-span P/R/F1 per type: a prediction counts only if start, end and label match."""
    scores = {t: Counts() for t in types}
    for gold_spans, pred_spans in zip(gold, pred, strict=True):
        gold_set, pred_set = set(gold_spans), set(pred_spans)
        for t in types:
            g = {s for s in gold_set if s[2] == t}
            p = {s for s in pred_set if s[2] == t}
            scores[t].tp += len(g & p)
            scores[t].gold += len(g)
            scores[t].pred += len(p)
    return scores


def run_set(
    recogniser: Recogniser, eval_set: EvalSet, data_dir: Path, limit: int | None
) -> SetResult:
    """Run the recogniser over one set, timing only the recognition."""
    path = data_dir / eval_set.relative_path
    if not path.exists():
        raise SystemExit(
            f"Missing data set file {path}; pass --data DIR (the shared datasets folder)."
        )
    examples = list(eval_set.reader(path))[:limit]
    texts = [ex.text for ex in examples]
    started, cpu_started = time.perf_counter(), time.process_time()
    # optional batch method, as on SpacyRecogniser
    pipe = getattr(recogniser, "pipe", None)
    predictions = list(pipe(texts)) if pipe else [recogniser(t) for t in texts]
    seconds, cpu_seconds = (
        time.perf_counter() - started,
        time.process_time() - cpu_started,
    )
    scores = score_spans((ex.spans for ex in examples), predictions, eval_set.types)
    return SetResult(eval_set.name, scores, sum(map(len, texts)), seconds, cpu_seconds)


def score_gold_graphs(recogniser: Recogniser) -> SetResult | None:
    """(a) Score on the project's gold graphs in tests/data/gold via ``kg eval``.

    Always kg's full pipeline (the gold graphs have kg's four types), scored by the rules of
    GUIDELINES.md through :func:`kg.evaluate.score`.
    """
    from kg.evaluate import load_gold, score
    from kg.pipeline import extract_paths

    gold_dir = REPO_ROOT / "tests" / "data" / "gold"
    golds = load_gold(gold_dir)
    files = [REPO_ROOT / "corpus" / g["doc"] for g in golds]
    started, cpu_started = time.perf_counter(), time.process_time()
    preds = [r.to_annotation() for r in extract_paths(files, progress=False)]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    result = score(preds, golds)
    scores = {
        label: c for label, c in result.entities.items()
    }
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    return SetResult("kg_gold (kg eval)", scores, chars, seconds, cpu_seconds)


def format_table(results: Sequence[SetResult]) -> str:
    """Render results as a plain-text table, reference scores beside each row."""
    header = f"{'set':<20} {'type':<5} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}  reference F1"
    rows = [header, "-" * len(header)]
    for result in results:
        refs = REFERENCE_SCORES.get(result.name, {})
        for label, score in result.scores.items():
            ref = refs.get(label) or refs.get("ALL", "")
            rows.append(
                f"{result.name:<20} {label:<5} {score.precision:6.3f} {score.recall:6.3f} {score.f1:6.3f} "
                f"{score.gold:6d} {score.pred:6d}  {ref}"
            )
    total_chars = sum(r.n_chars for r in results)
    total_seconds = sum(r.seconds for r in results)
    total_cpu = sum(r.cpu_seconds for r in results)
    rows.append("-" * len(header))
    if total_seconds and total_cpu:
        # CPU time is the one-core figure; wall time also counts waiting for cores shared with others.
        rows.append(
            f"speed: {total_chars / total_cpu:,.0f} chars per CPU-second, {total_chars / total_seconds:,.0f} chars/s wall "
            f"({total_chars:,} chars, {total_cpu:.1f} s CPU, {total_seconds:.1f} s wall, one thread)"
        )
    return "\n".join(rows)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="shared datasets folder (default: %(default)s)",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_MODEL,
        help="spaCy model directory (default: %(default)s)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="score only the first N sentences of each set",
    )
    parser.add_argument(
        "--recogniser",
        choices=("kg", "model"),
        default="kg",
        help="kg: the whole recogniser of `kg build` (rules + gazetteer + model); "
        "model: the trained NER model alone (default: %(default)s)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="numpy/BLAS threads (default 1: one-core speed)",
    )
    args = parser.parse_args(argv)

    limit_threads(args.threads)
    recogniser = SpacyRecogniser(args.model) if args.recogniser == "model" else KgRecogniser()
    recogniser("预热")  # first call loads jieba's dictionary; keep it out of the timing
    results = [run_set(recogniser, s, args.data, args.limit) for s in EVAL_SETS]
    gold = score_gold_graphs(recogniser)
    print(f"recogniser: {args.recogniser}")
    print(format_table(results + [gold]))
    return 0


def limit_threads(n: int) -> None:
    """Pin BLAS to n threads so the speed figure is a one-core figure."""
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:  # thinc's blis is single-threaded anyway
        pass


if __name__ == "__main__":
    sys.exit(main())
