"""Rebuild the statistical organisation recogniser (spaCy NER) from the public data sets.

Usage, from the repo root::

    python scripts/train_ner.py                       # data ../shared/datasets, model kg/models/ner
    python scripts/train_ner.py --data DIR --out kg/models/ner --max-steps 3000

Training data: CLUENER2020 train (government + company + organization -> ORG, address -> LOC,
name -> PER; book/game/movie/position/scene are left as non-entities) and People's Daily
``example.dev`` (ORG, LOC, PER). The MSRA and People's Daily *test* splits and CLUENER dev are
never read here: they are what ``bench/entities.py`` scores on. One sentence in twenty is held
out as spaCy's dev set, used to pick the best checkpoint.

Sentences are segmented with jieba (spaCy's ``zh`` tokenizer). A gold span whose edges fall
inside a jieba word cannot be represented on tokens; instead of stretching it (which would teach
the model wrong boundaries) its tokens are marked *missing*, so they neither reward nor punish.

Static vectors: floret (hashed character n-gram) vectors are first trained on the unlabelled
policy and financial-news text in the data folder plus the training sentences (about 8 MB).

Distillation (``--teacher MODEL``): FinRE's sentences labelled by an already trained model are
added to the training split, so a smaller and faster model learns what the larger one finds.
kg's screening model is built this way from the large one (see ``kg/models/README.md``)::

    python scripts/train_ner.py --out kg/models/ner-screen --width 64 --depth 2 --hidden 32 \
        --vectors-dim 0 --teacher kg/models/ner --max-steps 4000

The run is seeded (spaCy seed 0, floret single-threaded) and stops after a fixed number of steps
rather than a time budget, so reruns on the same data should match. It writes the final model
(no optimizer state, no checkpoints) to ``--out``, replacing any previous model only once
training has succeeded, and, when that is the default ``kg/models/ner``, the spaCy config it
used to ``scripts/ner.cfg``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from bench.entities import Example, read_bio, read_cluener

DEFAULT_DATA = REPO_ROOT.parent / "shared" / "datasets"
DEFAULT_OUT = REPO_ROOT / "kg" / "models" / "ner"
CONFIG_PATH = REPO_ROOT / "scripts" / "ner.cfg"
SEGMENTER = "jieba"  # spaCy's zh tokenizer mode; "char" tokens scored lower (notes/measurements.md)

# Training sources, relative to --data. Test splits are deliberately absent.
# The third field is how many times each sentence is repeated in training: the People's Daily
# sentences are few (2.3k against 10.7k) but they carry the newswire conventions (中国 in 中国政府
# is a place, party congresses are organisations) that MSRA and People's Daily test follow.
TRAIN_SOURCES = (
    ("cluener2020/train.json", read_cluener, 1),
    ("peoples_daily_ner/example.dev", read_bio, 2),
)
# Every 20th sentence goes to spaCy's dev set (checkpoint selection only).
HELD_OUT_EVERY = 20

# spaCy config. Word tokens from jieba; the embedding hashes the word (NORM), its first
# character (PREFIX), its last three characters (SUFFIX: organisation words end in 局/公司/委员会)
# and its shape (digits, Latin, length). Width and depth are sized for >= 25k chars/s on one core.
CONFIG_TEMPLATE = """\
[paths]
train = null
dev = null
vectors = null

[system]
gpu_allocator = null
seed = {seed}

[nlp]
lang = "zh"
pipeline = ["tok2vec","ner"]
batch_size = 256

[nlp.tokenizer]
@tokenizers = "spacy.zh.ChineseTokenizer"
segmenter = "{segmenter}"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = ${{components.tok2vec.model.encode.width}}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [{rows}]
include_static_vectors = {static_vectors}

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = {width}
depth = {depth}
window_size = {window}
maxout_pieces = 3

[components.ner]
factory = "ner"
moves = null
update_with_oracle_cut_size = 100
incorrect_spans_key = null

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = {hidden}
maxout_pieces = 2
use_upper = true
nO = null

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${{components.tok2vec.model.encode.width}}
upstream = "*"

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${{paths.train}}
max_length = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${{paths.dev}}
max_length = 0

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${{system.seed}}
gpu_allocator = null
dropout = {dropout}
accumulate_gradient = 1
patience = 0
max_epochs = 0
max_steps = {max_steps}
eval_frequency = {eval_frequency}
frozen_components = []
annotating_components = []

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 1e-08
learn_rate = 0.001

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0

[initialize]
vectors = ${{paths.vectors}}
"""


def build_config(
    segmenter: str,
    width: int,
    depth: int,
    window: int,
    hidden: int,
    rows: Sequence[int],
    max_steps: int,
    eval_frequency: int,
    seed: int,
    static_vectors: bool,
    dropout: float,
) -> str:
    """Fill the config template; the result is also written to scripts/ner.cfg for reference."""
    return CONFIG_TEMPLATE.format(
        static_vectors="true" if static_vectors else "false",
        dropout=dropout,
        segmenter=segmenter,
        width=width,
        depth=depth,
        window=window,
        hidden=hidden,
        rows=",".join(map(str, rows)),
        max_steps=max_steps,
        eval_frequency=eval_frequency,
        seed=seed,
    )


def read_training_examples(data_dir: Path) -> list[tuple[Example, int]]:
    """All training sentences with their repeat counts, in file order (so the run is reproducible)."""
    examples: list[tuple[Example, int]] = []
    for relative, reader, repeat in TRAIN_SOURCES:
        path = data_dir / relative
        if not path.exists():
            raise SystemExit(
                f"Missing training file {path}; pass --data DIR (the shared datasets folder)."
            )
        loaded = list(reader(path))
        print(
            f"read {len(loaded):,} sentences from {relative} (weight {repeat})",
            flush=True,
        )
        examples.extend((example, repeat) for example in loaded)
    return examples


# Unlabelled news for distillation (--teacher): FinRE's sentences, each once.
TEACHER_TEXT_SOURCES = ("finre/train.txt", "finre/valid.txt")


def teacher_examples(teacher_dir: Path, data_dir: Path) -> list[Example]:
    """The sentences of :data:`TEACHER_TEXT_SOURCES` with the entities ``teacher_dir`` (a
    larger model trained by this script) finds in them: silver data that lets a smaller,
    faster model learn what the larger one knows."""
    import spacy

    texts = [line.strip() for relative in TEACHER_TEXT_SOURCES for line in text_lines(data_dir, relative)]
    texts = list(dict.fromkeys(text for text in texts if text))  # each sentence once, in file order
    teacher = spacy.load(teacher_dir)
    examples = [
        Example(doc.text, tuple((e.start_char, e.end_char, e.label_) for e in doc.ents))
        for doc in teacher.pipe(texts, batch_size=256)
    ]
    print(f"labelled {len(examples):,} sentences with the teacher {teacher_dir}", flush=True)
    return examples


def to_docbin(nlp, examples: Iterable[Example]):
    """Tokenise sentences and attach their spans; spans that cut a token become missing tokens.

    Returns the DocBin and the count of spans kept / made missing.
    """
    from spacy.tokens import DocBin

    doc_bin = DocBin(store_user_data=False)
    kept = missing = 0
    for example in examples:
        doc = nlp.make_doc(example.text)
        entities, unaligned = [], []
        taken: set[int] = set()
        for start, end, label in example.spans:
            span = doc.char_span(start, end, label=label)
            if span is None:
                unaligned.append(doc.char_span(start, end, alignment_mode="expand"))
                continue
            if taken.intersection(range(span.start, span.end)):
                continue  # nested/overlapping gold (rare): keep the first
            taken.update(range(span.start, span.end))
            entities.append(span)
        blank_out = []
        # Two stretched spans may share a token: blank each token once.
        for span in unaligned:
            if not taken.intersection(range(span.start, span.end)):
                taken.update(range(span.start, span.end))
                blank_out.append(span)
        unaligned = blank_out
        doc.set_ents(entities, missing=unaligned, default="outside")
        kept += len(entities)
        missing += len(unaligned)
        doc_bin.add(doc)
    return doc_bin, kept, missing


# Unlabelled text for the floret vectors: policy documents and financial news, plus the training
# sentences themselves. No evaluation split (CLUENER dev, MSRA / People's Daily test) is read.
VECTOR_TEXT_SOURCES = (
    "gov_work_reports/government_work_reports.jsonl",
    "gov_policy_docs_env50/result.txt",
    "finre/train.txt",
    "finre/valid.txt",
    "finre/test.txt",
)


def text_lines(data_dir: Path, relative: str) -> Iterator[str]:
    """The plain-text lines of a file in the data folder: the reports' ``content`` in JSON
    lines, the sentence column of FinRE, other files as they are."""
    path = data_dir / relative
    if not path.exists():
        raise SystemExit(
            f"Missing text file {path}; pass --data DIR (the shared datasets folder)."
        )
    with path.open(encoding="utf-8") as handle:
        for raw in handle:
            if relative.endswith(".jsonl"):
                yield from json.loads(raw)["content"].splitlines()
            elif relative.startswith("finre/"):
                # columns: head, tail, relation, sentence
                yield raw.rstrip("\n").split("\t")[-1]
            else:
                yield raw


def iter_vector_texts(data_dir: Path, training: Sequence[Example]) -> Iterator[str]:
    """Yield plain-text lines for vector training, each distinct line once, in a fixed order."""
    seen: set[str] = set()
    for line in (ex.text for ex in training):
        seen.add(line)
        yield line
    for relative in VECTOR_TEXT_SOURCES:
        for line in text_lines(data_dir, relative):
            line = line.strip()
            if line and line not in seen:
                seen.add(line)
                yield line


def train_floret_vectors(
    nlp, texts: Iterable[str], work_dir: Path, dim: int, bucket: int
) -> Path:
    """Train floret (subword-hashed) vectors on jieba tokens; return a spaCy pipeline dir holding them.

    floret stores words as sums of hashed character n-grams (1-3 characters here), so an unseen
    name such as a new company still gets a vector from pieces like 集团 or 公司, and the table
    has a fixed size (``bucket`` rows) however large the vocabulary.
    """
    import floret
    from spacy.training.initialize import convert_vectors

    corpus = work_dir / "vector_corpus.txt"
    with corpus.open("w", encoding="utf-8") as out:
        for text in texts:
            out.write(
                " ".join(t.text for t in nlp.make_doc(text) if not t.is_space) + "\n"
            )
    print(
        f"training floret vectors ({dim} dims, {bucket:,} rows) on {corpus.stat().st_size / 1e6:.1f} MB of text",
        flush=True,
    )
    model = floret.train_unsupervised(
        str(corpus),
        model="skipgram",
        mode="floret",
        hashCount=2,
        bucket=bucket,
        minn=1,
        maxn=3,
        dim=dim,
        epoch=5,
        minCount=3,
        thread=1,  # one thread: reproducible (floret's own seed is fixed at 0) and kind to shared cores
        verbose=0,
    )
    vectors_file = work_dir / "vectors.floret"
    model.save_floret_vectors(str(vectors_file))
    holder = spacy_blank(nlp)
    convert_vectors(holder, vectors_file, truncate=0, prune=-1, mode="floret")
    holder_dir = work_dir / "vectors_model"
    holder.to_disk(holder_dir)
    return holder_dir


def spacy_blank(nlp):
    """A fresh blank pipeline with the same language and tokenizer settings as ``nlp``."""
    import spacy

    return spacy.blank(
        "zh", config={"nlp": {"tokenizer": nlp.config["nlp"]["tokenizer"]}}
    )


MODEL_META = {
    "name": "kg_ner",
    "version": "1.0.0",
    "description": "ORG/LOC/PER recogniser for Chinese (jieba tokens, {features}), trained by "
    "scripts/train_ner.py on CLUENER2020 train and People's Daily example.dev{teacher}",
    "license": "research use: training data carries no stated licence (see kg/models/README.md)",
    "sources": [
        {"name": "CLUENER2020", "url": "https://github.com/CLUEbenchmark/CLUENER2020"},
        {
            "name": "People's Daily 1998 NER (example.dev)",
            "url": "https://github.com/zjy-ucas/ChineseNER",
        },
    ],
}


def finalise_model(model_dir: Path, description: str) -> None:
    """Name the model in meta.json and drop this run's temporary paths from config.cfg.

    Without the second step two identical runs would differ in config.cfg, which records where
    the temporary training files were.
    """
    from thinc.api import Config

    meta_path = model_dir / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(MODEL_META, description=description)
    meta_path.write_text(
        json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    config_path = model_dir / "config.cfg"
    config = Config().from_disk(config_path, interpolate=False)
    for key in ("train", "dev", "vectors"):
        config["paths"][key] = None
    config.to_disk(config_path)


def replace_dir(source: Path, target: Path, description: str) -> None:
    """Move a finished model into place, so a failed run never leaves a half-written model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    shutil.copytree(source, staging / "model")
    finalise_model(staging / "model", description)
    if target.exists():
        # the previous model goes away with the staging folder below
        os.replace(target, staging / "previous")
    os.replace(staging / "model", target)
    shutil.rmtree(staging)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help="shared datasets folder (default: %(default)s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_OUT,
        help="model directory to (re)create (default: %(default)s)",
    )
    parser.add_argument("--width", type=int, default=96, help="tok2vec width")
    parser.add_argument("--depth", type=int, default=4, help="tok2vec CNN layers")
    parser.add_argument(
        "--window",
        type=int,
        default=1,
        help="tok2vec CNN window (tokens each side per layer)",
    )
    parser.add_argument("--hidden", type=int, default=64, help="NER state hidden width")
    parser.add_argument(
        "--rows",
        type=int,
        nargs=4,
        default=(20000, 5000, 10000, 500),
        help="hash rows NORM PREFIX SUFFIX SHAPE",
    )
    parser.add_argument(
        "--vectors-dim",
        type=int,
        default=64,
        help="floret vector size; 0 = no static vectors",
    )
    parser.add_argument(
        "--vectors-rows", type=int, default=50000, help="floret hash table rows"
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=3000,
        help="training steps (fixed so runs are reproducible)",
    )
    parser.add_argument(
        "--teacher",
        type=Path,
        help="a trained model whose entities on FinRE's sentences are added to the training "
        "split (distillation into a smaller model)",
    )
    parser.add_argument("--eval-frequency", type=int, default=500)
    parser.add_argument("--dropout", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    import spacy
    from spacy.cli.train import train as spacy_train
    from thinc.api import fix_random_seed

    fix_random_seed(args.seed)
    started = time.perf_counter()
    config_text = build_config(
        SEGMENTER,
        args.width,
        args.depth,
        args.window,
        args.hidden,
        args.rows,
        args.max_steps,
        args.eval_frequency,
        args.seed,
        static_vectors=args.vectors_dim > 0,
        dropout=args.dropout,
    )

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": SEGMENTER}}})
    examples = read_training_examples(args.data)
    held_out = [i % HELD_OUT_EVERY == HELD_OUT_EVERY - 1 for i in range(len(examples))]
    dev = [ex for (ex, _), is_dev in zip(examples, held_out) if is_dev]
    train_once = [ex for (ex, _), is_dev in zip(examples, held_out) if not is_dev]
    train = [
        ex
        for (ex, repeat), is_dev in zip(examples, held_out)
        if not is_dev
        for _ in range(repeat)
    ]
    if args.teacher:
        silver = teacher_examples(args.teacher, args.data)
        train += silver

    with tempfile.TemporaryDirectory(prefix="train_ner.") as work:
        work_dir = Path(work)
        for name, subset in (("train", train), ("dev", dev)):
            doc_bin, kept, missing = to_docbin(nlp, subset)
            doc_bin.to_disk(work_dir / f"{name}.spacy")
            print(
                f"{name}: {len(subset):,} sentences, {kept:,} spans, {missing:,} off jieba boundaries (marked missing)",
                flush=True,
            )
        overrides = {
            "paths.train": str(work_dir / "train.spacy"),
            "paths.dev": str(work_dir / "dev.spacy"),
        }
        if args.vectors_dim > 0:
            vectors_dir = train_floret_vectors(
                nlp,
                iter_vector_texts(args.data, train_once),
                work_dir,
                args.vectors_dim,
                args.vectors_rows,
            )
            overrides["paths.vectors"] = str(vectors_dir)
        # Each run trains from its own copy, so experiments can run side by side; the
        # shipped model's config is kept in scripts/ner.cfg.
        config_path = work_dir / "ner.cfg"
        config_path.write_text(config_text, encoding="utf-8")
        spacy_train(config_path, work_dir / "output", overrides=overrides)
        description = MODEL_META["description"].format(
            features="CNN + floret vectors" if args.vectors_dim > 0 else "CNN",
            teacher=f", plus FinRE sentences labelled by {args.teacher.name}" if args.teacher else "",
        )
        replace_dir(work_dir / "output" / "model-best", args.out, description)
        if args.out.resolve() == DEFAULT_OUT.resolve():
            CONFIG_PATH.write_text(config_text, encoding="utf-8")
    print(
        f"model written to {args.out} in {(time.perf_counter() - started) / 60:.1f} min",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
