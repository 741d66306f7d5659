"""The store registry: both engines load every format and answer the same."""
from __future__ import annotations

import pytest

from kg import query, rdf
from kg.errors import KgError
from kg.store import available_stores, get_store


@pytest.fixture(scope="module")
def graph_files(gold_corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("graph")
    paths = {}
    for fmt, form in rdf.FORMATS.items():
        paths[fmt] = out / ("graph" + form.suffix)
        rdf.write_graph(rdf.to_dataset(gold_corpus), paths[fmt], fmt)
    return paths


def test_registry_names_and_unknown_store():
    assert available_stores() == ["memory", "oxigraph"]
    with pytest.raises(KgError) as err:
        get_store("blazegraph")
    assert "memory, oxigraph" in err.value.hint


@pytest.mark.parametrize("name", ["memory", "oxigraph"])
def test_every_format_loads_to_the_same_triples(name, graph_files):
    counts = {fmt: len(_loaded(name, path)) for fmt, path in graph_files.items()}
    assert len(set(counts.values())) == 1, counts


def _loaded(name, path):
    store = get_store(name)
    store.load(path)
    return store


def test_both_engines_answer_every_saved_query_alike(graph_files):
    memory, oxigraph = _loaded("memory", graph_files["trig"]), _loaded("oxigraph", graph_files["trig"])
    for saved in query.saved_queries().values():
        a = query.run(saved.text, graph=memory, declared=saved.params)
        b = query.run(saved.text, graph=oxigraph, declared=saved.params)
        assert a.variables == b.variables
        assert [tuple(_value(t) for t in row) for row in a.rows] == [tuple(_value(t) for t in row) for row in b.rows], saved.name


def _value(term):
    """Compare numbers by value: engines write 1.0 and 1 for the same decimal."""
    return term.toPython() if term is not None and hasattr(term, "toPython") and term.datatype else (str(term) if term is not None else None)


def test_queries_see_named_graphs_as_the_default_graph(graph_files):
    for name in ("memory", "oxigraph"):
        store = _loaded(name, graph_files["trig"])
        ask = "PREFIX kg: <https://kg.example.org/ontology#> ASK { ?e a kg:Evidence }"
        assert query.run(ask, graph=store).boolean is True


def test_on_disk_oxigraph_store_keeps_its_data(graph_files, tmp_path):
    store = get_store(f"oxigraph:{tmp_path / 'db'}")
    n = store.load(graph_files["nt"])
    assert store.persistent and n > 1000
    del store
    import gc

    gc.collect()
    again = get_store(f"oxigraph:{tmp_path / 'db'}")
    assert len(again) == n


def test_missing_and_malformed_files_are_user_errors(tmp_path):
    with pytest.raises(KgError, match="No graph file"):
        get_store("oxigraph").load(tmp_path / "nothing.ttl")
    bad = tmp_path / "bad.ttl"
    bad.write_text("<urn:a> <urn:b> .\n", encoding="utf-8")
    with pytest.raises(KgError, match="not valid turtle"):
        get_store("oxigraph").load(bad)
    unknown = tmp_path / "x.rdf"
    unknown.write_text("", encoding="utf-8")
    with pytest.raises(KgError, match="suffix"):
        get_store("memory").load(unknown)
