"""Shared fixtures: the bundled corpus, its gold graphs, and graphs built from them."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.doc import DocResult
from kg.graph import Corpus

ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = ROOT / "corpus"
GOLD_DIR = Path(__file__).resolve().parent / "data" / "gold"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def gold_docs() -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.json"))]


@pytest.fixture(scope="session")
def gold_corpus(gold_docs) -> Corpus:
    """A corpus graph made from the hand-checked gold annotation of the five demo documents.

    Independent of the extractor, so graph/RDF/store/viz tests test their own stage.
    """
    results = []
    for gold in gold_docs:
        text = (CORPUS_DIR / gold["doc"]).read_text(encoding="utf-8")
        results.append(DocResult.from_annotation(gold, text=text, path=str(CORPUS_DIR / gold["doc"])))
    return Corpus.assemble(results)
