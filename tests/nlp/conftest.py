"""A rules-only pipeline for the component tests (the trained NER, when present, is left out
so that the tests check the rules themselves)."""
from __future__ import annotations

import pytest
from thinc.api import Config

import kg.nlp
from kg.normalize import normalise


@pytest.fixture(scope="session")
def nlp(tmp_path_factory):
    config = Config().from_disk(kg.nlp.DEFAULT_CONFIG)
    config["components"]["kg_org_ruler"]["statistical_model"] = ""
    path = tmp_path_factory.mktemp("cfg") / "pipeline.cfg"
    config.to_disk(path)
    return kg.nlp.build(path)


@pytest.fixture(scope="session")
def ents(nlp):
    """``ents(text) -> {(text, label)}`` of the final mentions of a normalised text."""

    def run(text: str) -> set[tuple[str, str]]:
        return {(e.text, e.label_) for e in nlp(normalise(text).text).ents}

    return run
