"""``kg query``: saved queries answer correctly on the gold graph, updates are refused, errors are one line."""
from __future__ import annotations

import copy
import csv
import io
import json
from collections import Counter

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import query, rdf
from kg.cli.query import query as query_command
from kg.errors import KgError
from kg.normalize import normalise_name
from kg.store import get_store

# Amounts read by hand from the gold evidence sentences of the two invests relations that state one
# (计划投资50亿元建设中交产业园（重庆）项目; 诗健生物将在重庆国际生物城投资20亿元).
STATED_AMOUNTS = {"中交产业园（重庆）项目": 5_000_000_000, "诗健ADC抗体药物研发及产业化项目": 2_000_000_000}


@pytest.fixture(scope="module")
def corpus(gold_corpus):
    """The gold corpus, with the investment amounts its sentences state on the invests relations."""
    corpus = copy.deepcopy(gold_corpus)
    for rel in corpus.relations.values():
        project = corpus.entities[rel.tail].name
        if rel.relation == "invests" and project in STATED_AMOUNTS:
            rel.attrs["amount_cny"] = STATED_AMOUNTS[project]
    return corpus


@pytest.fixture(scope="module")
def graph_file(corpus, tmp_path_factory):
    return rdf.write_outputs(corpus, tmp_path_factory.mktemp("out"))["trig"]


@pytest.fixture(scope="module")
def store(graph_file):
    s = get_store("oxigraph")
    s.load(graph_file)
    return s


def gold_relations(gold_docs, relation):
    return {(normalise_name(r["head"]), normalise_name(r["tail"])) for d in gold_docs for r in d["relations"]
            if r["relation"] == relation}


def rows(store, name, **params):
    saved = query.saved_query(name)
    result = query.run(saved.text, graph=store, params=params, declared=saved.params)
    return [tuple(None if t is None else str(t) for t in row) for row in result.rows]


# -- saved queries -------------------------------------------------------------------------------

def test_there_are_at_least_ten_documented_saved_queries():
    saved = query.saved_queries()
    assert len(saved) >= 10
    for q in saved.values():
        assert q.title and q.question.endswith("?"), q.name
        query.classify(q.text)  # parses


def test_every_saved_query_answers_on_the_gold_graph(store):
    for name in query.saved_queries():
        assert rows(store, name), name


def test_alliance_members_are_the_gold_members(store, gold_docs):
    got = {(normalise_name(m), normalise_name(a)) for a, m, _ in rows(store, "alliance-members")}
    assert got == gold_relations(gold_docs, "memberOf")
    leaders = {(normalise_name(m), normalise_name(a)) for a, m, role in rows(store, "alliance-members") if role == "leads"}
    assert leaders == gold_relations(gold_docs, "leads") & got


def test_who_issued_what_is_the_gold_issuedBy(store, gold_docs):
    got = {(normalise_name(p), normalise_name(i)) for i, p, _ in rows(store, "who-issued-what")}
    assert got == gold_relations(gold_docs, "issuedBy")


def test_document_numbers_come_from_policy_aliases(store, gold_docs):
    numbered = {normalise_name(e["name"]): a for d in gold_docs for e in d["entities"] if e["type"] == "POLICY"
                for a in e["aliases"] if "〔" in a}
    for issuer, policy, number in rows(store, "who-issued-what"):
        assert number == numbered.get(normalise_name(policy))


def test_policy_chain_follows_implements(store, gold_docs):
    got = {(normalise_name(p), normalise_name(q)) for p, q, _, _ in rows(store, "policy-implementation-chains")}
    assert got == gold_relations(gold_docs, "implements")


def test_hierarchy_is_the_gold_subOrganizationOf(store, gold_docs):
    got = {(normalise_name(u), normalise_name(p)) for p, u, _ in rows(store, "organisation-hierarchy")}
    assert got == gold_relations(gold_docs, "subOrganizationOf")


def test_partners_are_symmetric_and_from_gold(store, gold_docs):
    pairs = gold_relations(gold_docs, "partnerOf")
    got = {(normalise_name(a), normalise_name(b)) for a, b, _ in rows(store, "partners-of")}
    assert got == pairs | {(b, a) for a, b in pairs}
    head, tail = sorted(pairs)[0]
    one = {normalise_name(b) for _, b, _ in rows(store, "partners-of", org=head)}
    assert tail in one and one <= {b for a, b in got if a == head}


def test_entities_by_district_are_the_gold_locatedIn(store, gold_docs):
    got = {(normalise_name(name), normalise_name(d)) for d, _, name in rows(store, "entities-by-district")}
    assert got == gold_relations(gold_docs, "locatedIn")
    district = sorted(got)[0][1]
    only = rows(store, "entities-by-district", district=district)
    assert only and {normalise_name(d) for d, _, _ in only} == {district}


def test_projects_above_an_amount(store):
    everything = rows(store, "projects-by-investment")
    assert {p: int(a) for p, _, a in everything} == STATED_AMOUNTS
    above = rows(store, "projects-by-investment", min_amount="3000000000")
    assert [p for p, _, _ in above] == ["中交产业园（重庆）项目"]
    assert above[0][1] == "中交重庆投资发展有限公司"


def test_evidence_behind_a_fact_traces_to_sentence_and_document(store, gold_docs, corpus_dir):
    rel = next(r for d in gold_docs for r in d["relations"] if r["relation"] == "memberOf")
    doc = next(d["doc"] for d in gold_docs if rel in d["relations"])
    found = rows(store, "evidence-for-fact", head=rel["head"], relation="memberOf", tail=rel["tail"])
    assert len(found) == 1
    head, relation, tail, sentence, document, start, end, rule, confidence = found[0]
    assert (head, relation, tail, sentence, document) == (rel["head"], "memberOf", rel["tail"], rel["evidence"], doc)
    text = (corpus_dir / document).read_text(encoding="utf-8")
    assert text[int(start):int(end)] == sentence
    assert rule == "annotation" and float(confidence) == 1.0


def test_most_connected_degrees_match_gold(store, gold_corpus):
    degree = Counter()
    for head, _, tail in gold_corpus.relations:
        degree[gold_corpus.entities[head].name] += 1
        degree[gold_corpus.entities[tail].name] += 1
    top = rows(store, "most-connected")
    assert len(top) == 20
    for name, _, n in top:
        assert int(n) == degree[name]
    assert int(top[0][2]) == max(degree.values())
    assert [int(n) for _, _, n in top] == sorted((int(n) for _, _, n in top), reverse=True)


def test_relation_counts_match_gold(store, gold_corpus):
    expected = Counter(rel for _, rel, _ in gold_corpus.relations)
    assert {r: int(n) for r, n, _ in rows(store, "relation-counts")} == dict(expected)


def test_search_and_documents(store, gold_docs):
    hits = rows(store, "search-names", text="大学")
    assert hits and all("大学" in matched for _, _, matched in hits)
    doc = gold_docs[1]
    named = {normalise_name(n) for _, _, n in rows(store, "entities-in-document", document=doc["doc"])}
    assert named == {normalise_name(e["name"]) for e in doc["entities"]}


# -- parameters ----------------------------------------------------------------------------------

def test_parameter_errors_are_explained(store):
    saved = query.saved_query("projects-by-investment")
    with pytest.raises(KgError, match="needs a number"):
        query.run(saved.text, graph=store, params={"min_amount": "lots"}, declared=saved.params)
    with pytest.raises(KgError, match="no parameter"):
        query.run(saved.text, graph=store, params={"district": "x"}, declared=saved.params)
    with pytest.raises(KgError, match="No saved query"):
        query.saved_query("no-such-query")
    # a value cannot break out of its string
    found = rows(store, "search-names", text='"} } DROP ALL #')
    assert found == []


# -- read-only, syntax errors ----------------------------------------------------------------------

def test_classify():
    assert query.classify("PREFIX a: <urn:a#> SELECT * { ?s ?p ?o }") == "SELECT"
    assert query.classify("ASK { ?s ?p ?o }") == "ASK"
    assert query.classify("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }") == "CONSTRUCT"
    assert query.classify("DESCRIBE <urn:x>") == "DESCRIBE"
    for update in ("DROP ALL", "CLEAR DEFAULT", "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                   "PREFIX a: <urn:a#>\nDELETE WHERE { ?s ?p ?o }"):
        assert query.classify(update) == "UPDATE"


def test_drop_all_is_refused_without_update(graph_file, tmp_path):
    before = graph_file.read_bytes()
    result = CliRunner().invoke(query_command, ["DROP ALL", "--graph", str(graph_file)])
    assert result.exit_code != 0 and isinstance(result.exception, KgError)
    assert "--update" in result.exception.hint
    assert graph_file.read_bytes() == before
    copy_path = tmp_path / "copy.trig"
    copy_path.write_bytes(before)
    result = CliRunner().invoke(query_command, ["DROP ALL", "--update", "--graph", str(copy_path)])
    assert result.exit_code == 0, result.output
    assert len(list(ox.parse(path=str(copy_path)))) == 0


@pytest.mark.parametrize("text, line, column", [
    ("SELECT * WHERE {\n  ?s ?p ?o .\n  FILTER(?o = ) }", 3, None),
    ("SELECT ?s WHERE { ?s ?p }", 1, None),
    ("INSERT DATA { <urn:a> <urn:b> }", 1, None),
    ("SELEC * { }", 1, None),
])
def test_malformed_sparql_gives_one_line_with_line_and_column(text, line, column):
    with pytest.raises(KgError) as err:
        query.classify(text)
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith(f"SPARQL syntax error at line {line}, column ")


def test_cli_prints_the_syntax_error_as_one_line(graph_file):
    from kg.cli import main

    result = CliRunner().invoke(main, ["query", "SELECT * WHERE {\n ?s ?p", "--graph", str(graph_file)])
    assert result.exit_code == 2
    first = result.output.splitlines()[0] if result.output else result.stderr.splitlines()[0]
    assert first.startswith("Error: SPARQL syntax error at line 2, column")


# -- output formats --------------------------------------------------------------------------------

def test_result_formats_follow_the_w3c_specs(store):
    saved = query.saved_query("alliance-members")
    result = query.run(saved.text, graph=store, declared=saved.params)
    as_json = query.format_result(result, "json")
    parsed = list(ox.parse_query_results(as_json, format=ox.QueryResultsFormat.JSON))
    assert len(parsed) == len(result.rows) == 5
    as_tsv = query.format_result(result, "tsv")
    parsed_tsv = list(ox.parse_query_results(as_tsv, format=ox.QueryResultsFormat.TSV))
    assert [str(s["member_name"].value) for s in parsed_tsv] == [str(r[1]) for r in result.rows]
    as_csv = query.format_result(result, "csv")
    assert as_csv.startswith("alliance_name,member_name,role\r\n")
    assert list(csv.reader(io.StringIO(as_csv)))[1] == [str(t) for t in result.rows[0]]
    table = query.format_result(result, "table")
    assert table.splitlines()[0].split() == ["alliance_name", "member_name", "role"]
    assert table.rstrip().endswith("(5 rows)")
    ask = query.run("ASK { ?s ?p ?o }", graph=store)
    assert json.loads(query.format_result(ask, "json")) == {"head": {}, "boolean": True}


def test_cli_runs_saved_query_by_name_with_params(graph_file):
    result = CliRunner().invoke(query_command, ["--name", "who_issued_what", "--graph", str(graph_file), "-f", "csv"])
    assert result.exit_code == 0, result.output
    assert len(result.output.strip().splitlines()) == 1 + 5
    listed = CliRunner().invoke(query_command, ["--list"])
    assert "evidence-for-fact" in listed.output and "[min_amount=…]" in listed.output
