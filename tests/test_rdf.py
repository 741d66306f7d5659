"""The RDF mapping: vocabulary, identifiers, exports in two parsers, determinism, SHACL."""
from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, SKOS

from kg import rdf
from kg.errors import KgError
from kg.graph import networkx_bytes, to_networkx
from kg.rdf import KG, OA

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def dataset(gold_corpus) -> Dataset:
    return rdf.to_dataset(gold_corpus)


@pytest.fixture(scope="module")
def union(dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in dataset.quads():
        g.add((s, p, o))
    return g


def _label(graph: Graph, name: str) -> URIRef:
    found = list(graph.subjects(SKOS.prefLabel, Literal(name, lang="zh"))) + list(
        graph.subjects(SKOS.altLabel, Literal(name, lang="zh")))
    assert found, f"no entity labelled {name}"
    return found[0]


# -- vocabulary ----------------------------------------------------------------------------------

def test_kg_namespace_mirrors_ontology_file():
    onto = Graph().parse(rdf.ONTOLOGY_PATH)
    in_file = {str(s)[len(str(KG._NS)):] for s in onto.subjects() if str(s).startswith(str(KG._NS))}
    in_code = set(KG.__annotations__)
    assert in_file == in_code


def test_every_term_has_chinese_and_english_label_and_a_comment():
    onto = Graph().parse(rdf.ONTOLOGY_PATH)
    for term in KG.__annotations__:
        iri = KG[term]
        langs = {lit.language for lit in onto.objects(iri, RDFS.label)}
        assert {"zh", "en"} <= langs, term
        assert any(onto.objects(iri, RDFS.comment)), term


def test_ontology_aligns_with_published_vocabularies():
    onto = Graph().parse(rdf.ONTOLOGY_PATH)
    org, schema, eli = rdf.ORG, rdf.SCHEMA, rdf.ELI
    assert (KG.Organization, RDFS.subClassOf, org.Organization) in onto
    assert (KG.District, RDFS.subClassOf, schema.AdministrativeArea) in onto
    assert (KG.Project, RDFS.subClassOf, schema.Project) in onto
    assert (KG.Policy, RDFS.subClassOf, schema.Legislation) in onto
    assert (KG.GovernmentOrganization, RDFS.subClassOf, schema.GovernmentOrganization) in onto
    assert (KG.memberOf, RDFS.subPropertyOf, org.memberOf) in onto
    assert (KG.subOrganizationOf, RDFS.subPropertyOf, org.subOrganizationOf) in onto
    assert (KG.issuedBy, RDFS.subPropertyOf, eli.passed_by) in onto
    assert (KG.implements, RDFS.subPropertyOf, eli.implements) in onto
    assert (KG.withinDistrict, RDFS.subPropertyOf, schema.containedInPlace) in onto
    assert (KG.Evidence, RDFS.subClassOf, OA.SpecificResource) in onto
    assert (KG.partnerOf, RDF.type, OWL.SymmetricProperty) in onto
    # every relation of the guidelines is an object property of the ontology
    for name, prop in rdf.RELATION_PROPERTIES.items():
        assert (prop, RDF.type, OWL.ObjectProperty) in onto, name


def test_misspelt_term_raises():
    with pytest.raises(AttributeError):
        KG.memberof  # noqa: B018


def test_jsonld_context_file_matches_prefixes():
    context = json.loads(rdf.CONTEXT_PATH.read_text(encoding="utf-8"))["@context"]
    assert context == rdf.PREFIXES


# -- identifiers ---------------------------------------------------------------------------------

def test_entity_iris_are_readable_and_stable():
    assert str(rdf.entity_iri("ORG:重庆大学")) == "https://kg.example.org/organization/重庆大学"
    assert str(rdf.entity_iri("DISTRICT:綦江区", "http://x.org/kg/")) == "http://x.org/kg/district/綦江区"
    assert rdf.iri_segment("A/B C#1%") == "A%2FB%20C%231%25"
    assert rdf.iri_segment("西部（重庆）科学城") == "西部（重庆）科学城"
    assert rdf.iri_segment("两\u3000江") == "两%E3%80%80江"  # ideographic space is encoded


def test_bad_base_is_refused():
    with pytest.raises(KgError):
        rdf.to_dataset(rdf.Corpus([], {}, {}), base="not an iri")


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=30))
def test_any_name_gives_a_valid_iri_that_maps_back(name):
    iri = rdf.entity_iri("PROJECT:" + name)
    ox.NamedNode(str(iri))  # Oxigraph validates IRIs strictly
    ox.parse(f"<{iri}> <urn:p> <urn:o> .".encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    assert rdf.key_from_iri(str(iri)) == "PROJECT:" + name


# -- mapping -------------------------------------------------------------------------------------

def test_every_gold_entity_has_its_class_and_label(gold_docs, union):
    classes = {t: c for t, (c, _) in rdf.ENTITY_CLASSES.items()}
    for doc in gold_docs:
        for ent in doc["entities"]:
            iri = _label(union, ent["name"])
            assert (iri, RDF.type, classes[ent["type"]]) in union
            assert (iri, KG.mentionedIn, rdf.document_iri(doc["doc"])) in union
            for alias in ent["aliases"]:
                assert (iri, SKOS.altLabel, Literal(alias, lang="zh")) in union or \
                    (iri, SKOS.prefLabel, Literal(alias, lang="zh")) in union


def test_every_gold_relation_is_a_triple_with_its_evidence(gold_docs, union, corpus_dir):
    for doc in gold_docs:
        text = (corpus_dir / doc["doc"]).read_text(encoding="utf-8")
        for rel in doc["relations"]:
            head, tail = _label(union, rel["head"]), _label(union, rel["tail"])
            prop = KG[rel["relation"]]
            assert (head, prop, tail) in union, rel
            statements = [s for s in union.subjects(RDF.subject, head)
                          if (s, RDF.predicate, prop) in union and (s, RDF.object, tail) in union]
            assert len(statements) == 1  # one statement per relation, however many sentences
            quotes = {}
            for ev in union.objects(statements[0], KG.evidence):
                assert (ev, OA.hasSource, None) in union
                for sel in union.objects(ev, OA.hasSelector):
                    if (sel, RDF.type, OA.TextQuoteSelector) in union:
                        quotes[str(union.value(sel, OA.exact))] = ev
            assert rel["evidence"] in quotes, rel
            ev = quotes[rel["evidence"]]
            assert union.value(ev, OA.hasSource) == rdf.document_iri(doc["doc"])
            positions = [s for s in union.objects(ev, OA.hasSelector) if (s, RDF.type, OA.TextPositionSelector) in union]
            if positions:  # the offsets point at the sentence in the real document
                start, end = int(union.value(positions[0], OA.start)), int(union.value(positions[0], OA.end))
                assert text[start:end] == rel["evidence"]


def test_evidence_lives_in_the_named_graph_of_its_document(dataset, gold_docs):
    graphs = {g for _, _, _, g in dataset.quads() if g not in (None, DATASET_DEFAULT_GRAPH_ID)}
    assert graphs == {rdf.graph_iri(d["doc"]) for d in gold_docs if d["relations"]}
    for s, p, o, g in dataset.quads((None, RDF.type, KG.Evidence, None)):
        source = next(dataset.quads((s, OA.hasSource, None, None)))[2]
        assert str(g).rsplit("/", 1)[1] == str(source).rsplit("/", 1)[1]


@pytest.fixture(scope="module")
def corpus_with_attrs(gold_corpus):
    """The gold corpus plus typed attributes of every kind the extractor may produce."""
    corpus = copy.deepcopy(gold_corpus)
    policy = next(e for e in corpus.entities.values() if e.type == "POLICY")
    policy.attrs.update({"doc_number": "渝府办发〔2020〕78号", "issuer_code": "渝府办发", "year": 2020,
                         "serial": 78, "date": "2020年11月18日"})
    districts = [e for e in corpus.entities.values() if e.type == "DISTRICT"]
    districts[0].attrs.update({"code": "500110", "level": "county", "parent": "500000"})
    districts[1].attrs.update({"code": "500000", "level": "province"})
    project = next(e for e in corpus.entities.values() if e.type == "PROJECT")
    project.attrs.update({"amount_cny": 5_000_000_000, "unknown_attr": "dropped"})
    org = next(e for e in corpus.entities.values() if e.type == "ORG")
    org.attrs["kind"] = "government"
    return corpus, policy, districts, project, org


def test_attributes_become_typed_literals(corpus_with_attrs):
    corpus, policy, districts, project, org = corpus_with_attrs
    g = Graph()
    for s, p, o, _ in rdf.corpus_quads(corpus):
        g.add((s, p, o))
    p_iri = rdf.entity_iri(policy.key)
    assert g.value(p_iri, KG.documentNumber) == Literal("渝府办发〔2020〕78号", datatype=XSD.string)
    assert g.value(p_iri, KG.documentYear) == Literal("2020", datatype=XSD.gYear)
    assert g.value(p_iri, KG.serialNumber) == Literal("78", datatype=XSD.integer)
    assert g.value(p_iri, KG.date) == Literal("2020-11-18", datatype=XSD.date)
    d0, d1 = (rdf.entity_iri(d.key) for d in districts[:2])
    assert g.value(d0, KG.districtCode) == Literal("500110", datatype=XSD.string)
    assert (d0, KG.withinDistrict, d1) in g  # the parent's code names a district of the graph
    assert g.value(rdf.entity_iri(project.key), KG.amountCNY) == Literal("5000000000", datatype=XSD.decimal)
    assert (rdf.entity_iri(org.key), RDF.type, KG.GovernmentOrganization) in g
    assert rdf.validate(g).conforms


def test_round_trip_through_rdf_keeps_the_networkx_graph(gold_corpus, dataset):
    back = rdf.corpus_from_graph(dataset)
    a, b = to_networkx(gold_corpus), to_networkx(back)
    assert sorted(a.nodes(data=True)) == sorted(b.nodes(data=True))
    assert sorted(a.edges(keys=True, data=True)) == sorted(b.edges(keys=True, data=True))


# -- serialisation -------------------------------------------------------------------------------

RDFLIB_NAMES = {"turtle": "turtle", "nt": "nt", "nquads": "nquads", "trig": "trig", "jsonld": "json-ld"}
OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
              "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}


@pytest.mark.parametrize("fmt", sorted(rdf.FORMATS))
def test_every_export_parses_in_two_independent_parsers(fmt, dataset, union):
    data = rdf.serialize(dataset, fmt)
    quads = list(dataset.quads())
    expected = len(quads) if rdf.FORMATS[fmt].quads else len(union)
    by_oxigraph = list(ox.parse(data, format=OX_FORMATS[fmt]))
    parsed = Dataset()
    parsed.parse(data=data, format=RDFLIB_NAMES[fmt])
    by_rdflib = list(parsed.quads())
    assert len(by_oxigraph) == len(by_rdflib) == expected
    # and the same triples, not just as many
    assert {(str(q.subject.value), str(q.predicate.value)) for q in by_oxigraph} == \
        {(str(s), str(p)) for s, p, _, _ in by_rdflib}


_SERIALISE = """
import json, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from kg.doc import DocResult
from kg.graph import Corpus
from kg import rdf
results = []
for p in sorted(Path({gold!r}).glob("*.json")){order}:
    gold = json.loads(p.read_text(encoding="utf-8"))
    text = (Path({corpus!r}) / gold["doc"]).read_text(encoding="utf-8")
    results.append(DocResult.from_annotation(gold, text=text))
ds = rdf.to_dataset(Corpus.assemble(results))
for fmt in sorted(rdf.FORMATS):
    sys.stdout.buffer.write(rdf.serialize(ds, fmt))
"""


def test_serialisations_are_byte_identical_across_processes(corpus_dir):
    outputs = []
    for seed, order in (("1", ""), ("2", "[::-1]")):
        code = _SERIALISE.format(root=str(ROOT), gold=str(ROOT / "tests" / "data" / "gold"),
                                 corpus=str(corpus_dir), order=order)
        env = {**os.environ, "PYTHONHASHSEED": seed}
        outputs.append(subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, check=True).stdout)
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) > 100_000


def test_write_outputs_is_atomic_and_repeatable(gold_corpus, tmp_path):
    first = rdf.write_outputs(gold_corpus, tmp_path / "a")
    second = rdf.write_outputs(gold_corpus, tmp_path / "b")
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["graph.jsonld", "graph.trig", "graph.ttl"]
    for fmt in first:
        assert first[fmt].read_bytes() == second[fmt].read_bytes()


def test_graph_written_and_read_back_by_oxigraph_is_unchanged(gold_corpus, tmp_path):
    from kg.store import get_store

    written = rdf.write_outputs(gold_corpus, tmp_path)
    for fmt, path in written.items():
        store = get_store("oxigraph")
        store.load(path)
        assert rdf.serialize(store.graph, fmt) == path.read_bytes(), fmt


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_networkx_exports_are_deterministic_and_readable(gold_corpus, fmt, tmp_path):
    data = networkx_bytes(to_networkx(gold_corpus), fmt)
    assert data == networkx_bytes(to_networkx(gold_corpus), fmt)
    path = tmp_path / f"g.{fmt}"
    path.write_bytes(data)
    graph = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
    assert graph.number_of_nodes() == len(gold_corpus.entities)
    types = {d.get("type") for _, d in graph.nodes(data=True)}
    assert types == {"ORG", "DISTRICT", "PROJECT", "POLICY"}


# -- SHACL ---------------------------------------------------------------------------------------

def test_gold_graph_conforms_to_the_shapes(dataset):
    report = rdf.validate(dataset)
    assert report.conforms, report.text


def _broken(union: Graph, how: str) -> Graph:
    g = Graph()
    g += union
    org = next(g.subjects(RDF.type, KG.Organization))
    district = next(g.subjects(RDF.type, KG.District))
    statement = next(g.subjects(RDF.type, KG.Statement))
    if how == "missing label":
        g.remove((org, SKOS.prefLabel, None))
    elif how == "wrong domain":
        g.add((district, KG.memberOf, org))
    elif how == "wrong range":
        g.add((org, KG.locatedIn, org))
    elif how == "no evidence":
        g.remove((statement, KG.evidence, None))
    elif how == "bad datatype":
        g.add((next(g.subjects(RDF.type, KG.Project)), KG.amountCNY, Literal("五十亿")))
    elif how == "statement without triple":
        s, p, o = (g.value(statement, x) for x in (RDF.subject, RDF.predicate, RDF.object))
        g.remove((s, p, o))
    return g


@pytest.mark.parametrize("how", ["missing label", "wrong domain", "wrong range", "no evidence", "bad datatype",
                                 "statement without triple"])
def test_broken_graph_does_not_conform(union, how):
    report = rdf.validate(_broken(union, how))
    assert not report.conforms
    assert "Constraint Violation" in report.text


def test_validate_command_exit_codes(union, tmp_path):
    from click.testing import CliRunner

    from kg.cli.validate import validate

    good, bad = tmp_path / "good.ttl", tmp_path / "bad.ttl"
    good.write_bytes(rdf.serialize(union, "turtle"))
    bad.write_bytes(rdf.serialize(_broken(union, "wrong domain"), "turtle"))
    runner = CliRunner()
    assert runner.invoke(validate, [str(good)]).exit_code == 0
    result = runner.invoke(validate, [str(bad)])
    assert result.exit_code == 1 and "Conforms: False" in result.output
    (tmp_path / "broken.ttl").write_text("<a> <b> .", encoding="utf-8")
    result = runner.invoke(validate, [str(tmp_path / "broken.ttl")])
    assert isinstance(result.exception, KgError) and result.exception.exit_code == 2
