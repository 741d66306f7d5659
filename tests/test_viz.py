"""The HTML graph view: what the file holds, and how the page behaves in a real headless Chromium.

The browser tests drive Debian's ``chromium`` with playwright (no browser download) and skip,
saying so, only when no Chromium binary is found (set ``KG_CHROMIUM`` to point at one).
"""
from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.errors import KgError
from kg.graph import to_networkx
from kg.viz import render_html, write_html

XSS = "<img src=x onerror=window.__xss=1;alert(1)>"
XSS_SCRIPT = "</script><script>window.__xss=2;alert(2)</script>"
CHROMIUM = os.environ.get("KG_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium binary (apt-get install chromium, or set KG_CHROMIUM)")


@pytest.fixture(scope="module")
def gold_graph(gold_corpus) -> nx.MultiDiGraph:
    return to_networkx(gold_corpus)


def page_data(html: str) -> dict:
    """The JSON the page is built from."""
    match = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.DOTALL)
    return json.loads(match.group(1))


def shown_keys(html: str) -> set[str]:
    return {node["key"] for node in page_data(html)["nodes"]}


def xss_graph() -> nx.MultiDiGraph:
    """Hostile strings in every place a document string can reach."""
    graph = nx.MultiDiGraph()
    graph.add_node(f"ORG:{XSS}", label=XSS, type="ORG", aliases=XSS_SCRIPT, docs=f"{XSS}.txt", amount_cny=XSS)
    graph.add_node("DISTRICT:甲区", label="甲区", type="DISTRICT", aliases="", docs="a.txt", code="500000")
    graph.add_node("PROJECT:<b>bold</b>", label="<b>bold</b>", type=XSS, aliases="", docs="a.txt")
    graph.add_edge(f"ORG:{XSS}", "DISTRICT:甲区", key="locatedIn", relation="locatedIn", evidence=XSS_SCRIPT,
                   doc=XSS, n_evidence=1, confidence=0.5)
    graph.add_edge("PROJECT:<b>bold</b>", "DISTRICT:甲区", key=XSS, relation=XSS, evidence="&lt;i&gt;",
                   doc="a.txt", n_evidence=1, confidence=1.0)
    return graph


def hub_graph(n: int) -> nx.MultiDiGraph:
    """A scale-free graph of ``n`` entities of the four types (deterministic)."""
    base = nx.barabasi_albert_graph(n, 2, seed=3)
    types = ["ORG", "DISTRICT", "PROJECT", "POLICY"]
    graph = nx.MultiDiGraph()
    for i in base.nodes:
        graph.add_node(f"{types[i % 4]}:实体{i:05d}", label=f"实体{i:05d}", type=types[i % 4],
                       aliases=f"别名{i:05d}", docs="synthetic.txt")
    keys = list(graph.nodes)
    for u, v in sorted(base.edges):
        graph.add_edge(keys[u], keys[v], key="partnerOf", relation="partnerOf",
                       evidence=f"句子{u}-{v}", doc="synthetic.txt", n_evidence=1, confidence=1.0)
    return graph


# --- the file --------------------------------------------------------------------------


def test_file_references_no_remote_resource(gold_graph, tmp_path):
    html = write_html(gold_graph, tmp_path / "graph.html").read_text(encoding="utf-8")
    # Every resource is inline: no external script, stylesheet, image, font or import.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"""url\(\s*["']?\s*(https?:)?//""", html, re.IGNORECASE)
    assert not re.search(r"@import|<link\b|<iframe\b", html, re.IGNORECASE)
    assert "cdn" not in html.lower().replace("cdn_resources", "")
    assert "<script src" not in html
    # and the page's CSP forbids fetching anything at all
    assert "default-src 'none'" in html


def test_every_entity_and_relation_is_in_the_page(gold_graph):
    data = page_data(render_html(gold_graph))
    assert shown_keys(render_html(gold_graph)) == set(gold_graph.nodes)
    ids = {node["id"]: node["key"] for node in data["nodes"]}
    edges = {(ids[e["from"]], e["label"], ids[e["to"]]) for e in data["edges"]}
    assert edges == {(u, k, v) for u, v, k in gold_graph.edges(keys=True)}
    assert data["initial"] is None and data["notes"] == []
    # nodes get their own coordinates (no physics in the browser), and no two share a spot
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == gold_graph.number_of_nodes()


def test_all_evidence_sentences_are_shown_when_the_graph_has_them():
    graph = nx.MultiDiGraph()
    graph.add_node("ORG:甲", label="甲", type="ORG")
    graph.add_node("ORG:乙", label="乙", type="ORG")
    sentences = [{"doc": "a.txt", "text": "甲与乙合作。"}, {"doc": "b.txt", "text": "乙和甲签约。"}]
    graph.add_edge("ORG:甲", "ORG:乙", key="partnerOf", relation="partnerOf", evidence="甲与乙合作。", doc="a.txt",
                   n_evidence=3, evidences=json.dumps(sentences, ensure_ascii=False))
    graph.add_edge("ORG:乙", "ORG:甲", key="partnerOf", relation="partnerOf", evidence="乙和甲签约。", doc="b.txt",
                   n_evidence=1)
    data = page_data(render_html(graph))
    head = {n["id"]: n["key"] for n in data["nodes"]}
    edges = sorted(data["edges"], key=lambda e: head[e["from"]] != "ORG:甲")
    assert edges[0]["evidence"] == [["a.txt", "甲与乙合作。"], ["b.txt", "乙和甲签约。"]]
    assert edges[0]["n_evidence"] == 3  # the page says one more sentence is not in the file
    assert edges[1]["evidence"] == [["b.txt", "乙和甲签约。"]]


def test_output_is_deterministic_whatever_the_insertion_order(gold_graph, tmp_path):
    reordered = nx.MultiDiGraph()
    reordered.add_nodes_from(reversed(list(gold_graph.nodes(data=True))))
    reordered.add_edges_from(reversed(list(gold_graph.edges(keys=True, data=True))))
    first = write_html(gold_graph, tmp_path / "a.html").read_bytes()
    second = write_html(reordered, tmp_path / "b.html").read_bytes()
    assert first == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.html", "b.html"]  # no temp files left


def test_a_failed_write_leaves_the_old_file(gold_graph, tmp_path):
    target = write_html(gold_graph, tmp_path / "graph.html")
    before = target.read_bytes()
    with pytest.raises(KgError):
        write_html(gold_graph, target, focus="no such entity anywhere")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["graph.html"]


@pytest.mark.parametrize("hops", [0, 1, 2])
def test_focus_keeps_the_neighbourhood(gold_graph, hops):
    centre = max(gold_graph.nodes, key=lambda n: (gold_graph.degree(n), n))
    label = gold_graph.nodes[centre]["label"]
    expected = set(nx.ego_graph(gold_graph.to_undirected(as_view=True), centre, radius=hops))
    html = render_html(gold_graph, focus=label, hops=hops)
    assert shown_keys(html) == expected
    assert label in page_data(html)["notes"][0]


def test_focus_matches_aliases_and_keys(gold_graph):
    node, aliases = next((n, a) for n, a in sorted(gold_graph.nodes(data="aliases")) if a)
    alias = aliases.split(" | ")[0]
    assert node in shown_keys(render_html(gold_graph, focus=alias, hops=0))
    assert shown_keys(render_html(gold_graph, focus=node, hops=0)) >= {node}


def test_unknown_focus_explains(gold_graph):
    label = max(gold_graph.nodes(data="label"), key=lambda kv: len(kv[1]))[1]
    with pytest.raises(KgError) as err:
        render_html(gold_graph, focus=label[:-1] + "X")
    assert "No entity named" in err.value.message
    assert "Did you mean" in err.value.hint


def test_max_nodes_keeps_the_most_connected_and_says_so():
    graph = hub_graph(300)
    html = render_html(graph, max_nodes=50)
    degree = dict(graph.degree())
    cutoff = sorted(degree.values(), reverse=True)[49]
    kept = shown_keys(html)
    assert len(kept) == 50
    assert all(degree[n] >= cutoff for n in kept)
    assert any("--max-nodes" in note for note in page_data(html)["notes"])


def test_big_graphs_open_on_a_filtered_view():
    graph = hub_graph(1200)
    data = page_data(render_html(graph, view_limit=100))
    assert len(data["initial"]) == 100
    degree = dict(graph.degree())
    keys = {n["id"]: n["key"] for n in data["nodes"]}
    cutoff = sorted(degree.values(), reverse=True)[99]
    assert all(degree[keys[i]] >= cutoff for i in data["initial"])
    assert any("100" in note and "1,200" in note for note in data["notes"])


def test_document_strings_never_reach_the_markup_unescaped():
    html = render_html(xss_graph())
    assert XSS not in html and "<b>bold</b>" not in html
    assert html.count("</script>") == 4  # the page's own script blocks, nothing from the data
    block = re.search(r'<script id="kg-data" type="application/json">(.*?)</script>', html, re.DOTALL).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    labels = {n["label"] for n in json.loads(block)["nodes"]}
    assert "<b>bold</b>" in labels  # the JSON still carries the exact text


def test_bad_arguments_are_user_errors(gold_graph):
    with pytest.raises(KgError):
        render_html(gold_graph, hops=-1)
    with pytest.raises(KgError):
        render_html(gold_graph, max_nodes=0)


# --- the command -------------------------------------------------------------------------


def test_cli_reads_the_graphml_that_build_writes(gold_graph, tmp_path):
    from kg.cli.viz import viz

    nx.write_graphml(gold_graph, tmp_path / "graph.graphml")
    out = tmp_path / "view.html"
    result = CliRunner().invoke(viz, ["--graph", str(tmp_path / "graph.graphml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    # GraphML round trip: same page as from the graph itself
    assert out.read_bytes() == render_html(gold_graph).encode("utf-8")


def test_cli_explains_a_missing_graph(tmp_path):
    from kg.cli.viz import viz

    result = CliRunner().invoke(viz, ["--graph", str(tmp_path / "missing.graphml"), "-o", str(tmp_path / "x.html")])
    assert isinstance(result.exception, KgError)
    assert "kg build" in result.exception.hint
    assert not (tmp_path / "x.html").exists()


# --- the page in a real browser ----------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("no Chromium binary (apt-get install chromium, or set KG_CHROMIUM)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        # launch() starts Chromium on a fresh temporary profile (--user-data-dir)
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Page:
    """A loaded page plus what it tried to fetch, logged as errors and popped up as dialogs."""

    def __init__(self, browser, path: Path):
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.page.route("**/*", self._route)
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        # the page's CSP forbids eval, so waits use selectors, not wait_for_function
        self.page.wait_for_selector("body[data-ready='1']", state="attached", timeout=60_000)

    def _route(self, route):
        if route.request.url.startswith("file:"):
            route.continue_()
        else:  # the network is off: record the attempt and refuse it
            self.requests.append(route.request.url)
            route.abort()

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def rendered(self) -> tuple[int, int]:
        """Nodes and edges vis-network draws (its body's index lists)."""
        return tuple(self.js("[kg.network.body.nodeIndices.length, kg.network.body.edgeIndices.length]"))


@pytest.fixture
def open_page(browser, tmp_path):
    pages = []

    def load(graph: nx.MultiDiGraph, **options) -> Page:
        page = Page(browser, write_html(graph, tmp_path / f"page{len(pages)}.html", **options))
        pages.append(page)
        return page

    yield load
    for page in pages:
        page.page.close()


@needs_chromium
def test_page_renders_every_node_offline(gold_graph, open_page):
    page = open_page(gold_graph)
    assert page.rendered() == (gold_graph.number_of_nodes(), gold_graph.number_of_edges())
    assert page.requests == []
    assert page.errors == []
    # the legend names every type with its count
    legend = page.page.inner_text("#type-filters")
    for type_ in {t for _, t in gold_graph.nodes(data="type")}:
        count = sum(1 for _, t in gold_graph.nodes(data="type") if t == type_)
        assert re.search(rf"{type_}\s+{count}\b", legend)


@needs_chromium
def test_search_finds_a_node_by_alias(gold_graph, open_page):
    node, data = next((n, d) for n, d in sorted(gold_graph.nodes(data=True)) if d["aliases"])
    alias = data["aliases"].split(" | ")[0]
    page = open_page(gold_graph)
    page.page.fill("#search", alias)
    assert data["label"] in page.page.inner_text("#results")
    page.page.press("#search", "Enter")
    assert page.page.inner_text("#details .name") == data["label"]
    assert node in page.page.inner_text("#details")
    assert node in page.js("kg.network.getSelectedNodes().map(id => kg.data.nodes[id].key)")
    page.page.fill("#search", "没有这个名字的实体")
    assert page.page.inner_text("#results") == ""
    assert page.page.inner_text("#result-count").startswith("0 ")
    assert page.errors == []


@needs_chromium
def test_clicking_an_edge_shows_its_evidence(gold_graph, open_page):
    page = open_page(gold_graph)
    # Zoom on each edge in turn until its midpoint is clear of nodes, then click there with the mouse.
    for edge in page.js("kg.data.edges.map(e => [e.id, e.from, e.to])"):
        point = page.js("""([id, a, b]) => {
            kg.network.fit({ nodes: [a, b], animation: false });
            const p = kg.network.getPositions([a, b]);
            const mid = kg.network.canvasToDOM({ x: (p[a].x + p[b].x) / 2, y: (p[a].y + p[b].y) / 2 });
            const hit = kg.network.getEdgeAt(mid) === id && kg.network.getNodeAt(mid) === undefined;
            return hit ? mid : null;
        }""", edge)
        if point:
            break
    assert point, "no edge could be clicked clear of nodes"
    head, tail = page.js("([id, a, b]) => [kg.data.nodes[a].key, kg.data.nodes[b].key]", edge)
    box = page.page.locator("#graph canvas").bounding_box()
    page.page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
    relation = page.js("id => kg.data.edges[id].label", edge[0])
    attrs = gold_graph.edges[head, tail, relation]
    details = page.page.inner_text("#details")
    assert attrs["evidence"] in details
    assert attrs["doc"] in details
    assert relation in details
    assert page.errors == []


@needs_chromium
def test_filters_hide_types_and_relations(gold_graph, open_page):
    page = open_page(gold_graph)
    types = dict(gold_graph.nodes(data="type"))
    page.page.uncheck("#type-filters input[data-value='DISTRICT']")
    kept = {n for n, t in types.items() if t != "DISTRICT"}
    expected_edges = sum(1 for u, v in gold_graph.edges() if u in kept and v in kept)
    assert page.rendered() == (len(kept), expected_edges)
    page.page.uncheck("#relation-filters input[data-value='partnerOf']")
    expected_edges = sum(1 for u, v, k in gold_graph.edges(keys=True)
                         if u in kept and v in kept and k != "partnerOf")
    assert page.rendered() == (len(kept), expected_edges)
    page.page.click("#reset")
    assert page.rendered() == (gold_graph.number_of_nodes(), gold_graph.number_of_edges())


@needs_chromium
def test_a_hostile_name_renders_as_text(open_page):
    page = open_page(xss_graph())
    page.page.fill("#search", "<img")
    assert XSS in page.page.inner_text("#results")
    page.page.press("#search", "Enter")
    assert page.page.inner_text("#details .name") == XSS
    assert XSS_SCRIPT in page.page.inner_text("#details")  # the alias
    page.js("kg.showEdge(kg.data.edges.find(e => e.label === 'locatedIn').id, true)")
    assert XSS_SCRIPT in page.page.inner_text("#details")  # the evidence sentence
    page.page.wait_for_timeout(300)  # give an injected onerror handler the time to fire
    assert page.js("window.__xss") is None
    assert page.dialogs == []
    assert page.js("document.querySelectorAll('img, b, #panel script').length") == 0
    assert page.errors == []
    assert page.rendered() == (3, 2)


@needs_chromium
def test_big_graph_opens_filtered_and_search_reaches_hidden_nodes(open_page):
    graph = hub_graph(1500)
    page = open_page(graph, view_limit=200)
    assert page.rendered()[0] == 200
    assert "200" in page.page.inner_text("#notes")
    hidden = page.js("kg.data.nodes.find(n => !kg.state.shown.has(n.id)).label")
    page.page.fill("#search", hidden)
    page.page.press("#search", "Enter")
    assert page.page.inner_text("#details .name") == hidden
    assert hidden in page.js("kg.nodeView.get().map(n => n.label)")
    page.page.click("#show-all")
    assert page.rendered() == (graph.number_of_nodes(), graph.number_of_edges())
    assert page.requests == [] and page.errors == []
