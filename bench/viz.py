"""Benchmark the HTML graph view on a synthetic 10,000-node graph in headless Chromium.

Usage (from the repo root)::

    python bench/viz.py                       # 10,000 nodes, 3 runs per figure
    python bench/viz.py --nodes 20000 --runs 1
    python bench/viz.py --chromium /usr/bin/chromium --keep out/
    python bench/viz.py --screenshot docs/screenshot.png   # the README picture, then exit

It prints a table with, for the default page (opens on the most connected ``view_limit``
nodes) and for the page drawing every node at once:

- build: seconds for :func:`kg.viz.write_html` (layout + HTML), and the file size;
- first paint: seconds from navigation start until vis-network has drawn the graph once;
- search: seconds from typing a name into the search box until the result list shows it
  (wall clock, through the browser driver), and the time the page's search handler took;
- reveal: seconds from pressing Enter on a result until the node is selected, its
  neighbourhood shown and its details in the side panel.

Needs Debian ``chromium`` and PyPI ``playwright`` (it drives the system browser; no browser
download). All requests other than ``file://`` are blocked and counted.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kg.viz import DEFAULT_VIEW_LIMIT, write_html

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
SHARES = {"DISTRICT": 0.004, "ORG": 0.30, "POLICY": 0.196}  # the rest are projects


def synthetic_graph(n_nodes: int = 10_000, seed: int = 1) -> nx.MultiDiGraph:
    """A graph shaped like a policy corpus: few districts, many projects and organisations.

    Projects sit in a district and are developed by one or two organisations, some funded or
    implementing a policy; organisations sit in districts and have parents and partners;
    policies are issued by organisations. About two edges per node, a few hubs.
    """
    rng = random.Random(seed)
    graph = nx.MultiDiGraph()
    counts = {t: max(1, int(n_nodes * share)) for t, share in SHARES.items()}
    counts["PROJECT"] = n_nodes - sum(counts.values())
    keys: dict[str, list[str]] = {}
    syllables = "渝江北南巴沙坪坝九龙渡中綦璧山铜梁潼荣昌永川合川长寿涪陵万州开州云阳奉节巫溪黔秀酉彭武隆丰都忠垫"
    suffix = {"DISTRICT": "区", "ORG": "科技有限公司", "PROJECT": "产业园项目", "POLICY": "实施方案"}
    for type_, count in counts.items():
        keys[type_] = []
        for i in range(count):
            stem = "".join(rng.choice(syllables) for _ in range(3))
            name = f"{stem}{suffix[type_]}{i:05d}" if type_ != "DISTRICT" else f"{stem}{i:02d}区"
            key = f"{type_}:{name}"
            attrs = {"code": f"5001{i:02d}"} if type_ == "DISTRICT" else {}
            if type_ == "PROJECT" and rng.random() < 0.4:
                attrs["amount_cny"] = float(rng.randrange(1, 500) * 10_000_000)
            graph.add_node(key, label=name, type=type_, aliases=stem if type_ == "ORG" else "",
                           docs=f"doc_{rng.randrange(500):04d}.txt", **attrs)
            keys[type_].append(key)

    def link(head: str, relation: str, tail: str) -> None:
        doc = f"doc_{rng.randrange(500):04d}.txt"
        sentence = f"{graph.nodes[head]['label']}与{graph.nodes[tail]['label']}的关系（{relation}）见于本文。"
        graph.add_edge(head, tail, key=relation, relation=relation, evidence=sentence, doc=doc,
                       n_evidence=1 + rng.randrange(3), confidence=0.9)

    districts, orgs, projects, policies = keys["DISTRICT"], keys["ORG"], keys["PROJECT"], keys["POLICY"]
    for project in projects:
        link(project, "locatedIn", rng.choice(districts))
        for org in rng.sample(orgs, 1 + (rng.random() < 0.5)):
            link(org, "develops", project)
        if rng.random() < 0.2:
            link(rng.choice(orgs), "invests", project)
        if rng.random() < 0.2:
            link(project, "implements", rng.choice(policies))
    for org in orgs:
        if rng.random() < 0.5:
            link(org, "locatedIn", rng.choice(districts))
        if rng.random() < 0.1:
            link(org, "subOrganizationOf", rng.choice(orgs[:50]))
        if rng.random() < 0.1:
            link(org, "partnerOf", rng.choice(orgs))
    for policy in policies:
        link(policy, "issuedBy", rng.choice(orgs[:200]))
    graph.remove_edges_from([(u, v, k) for u, v, k in graph.edges(keys=True) if u == v])
    return graph


def measure_page(browser, html: Path, query: str, runs: int) -> dict[str, float]:
    """First paint, search and reveal latencies (medians over ``runs`` fresh page loads)."""
    paints, searches, handlers, reveals, blocked = [], [], [], [], []
    for _ in range(runs):
        page = browser.new_page(viewport={"width": 1400, "height": 850})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (blocked.append(route.request.url), route.abort()))
        page.goto(html.as_uri(), wait_until="commit")
        # The page's CSP forbids eval, so waits use selectors (wait_for_function would eval).
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=120_000)
        # kgFirstPaint is measured by the page from its navigation start.
        paints.append(page.evaluate("window.kgFirstPaint") / 1000)
        start = time.perf_counter()
        page.fill("#search", query)
        page.locator("#results li", has_text=query).first.wait_for()
        searches.append(time.perf_counter() - start)
        handlers.append(page.evaluate("window.kgLastSearchMs") / 1000)
        start = time.perf_counter()
        page.press("#search", "Enter")
        page.locator("#details .name", has_text=query).wait_for()
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        reveals.append(time.perf_counter() - start)
        page.close()
    med = statistics.median
    return {"paint": med(paints), "search": med(searches), "handler": med(handlers),
            "reveal": med(reveals), "blocked": len(blocked)}


def gold_graph() -> nx.MultiDiGraph:
    """The graph of the gold annotation of the bundled corpus (as tests/conftest.py builds it)."""
    import json

    from kg.doc import DocResult
    from kg.graph import Corpus, to_networkx

    root = Path(__file__).resolve().parent.parent
    results = []
    for path in sorted((root / "tests" / "data" / "gold").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        text = (root / "corpus" / gold["doc"]).read_text(encoding="utf-8")
        results.append(DocResult.from_annotation(gold, text=text))
    return to_networkx(Corpus.assemble(results))


def built_graph() -> nx.MultiDiGraph:
    """The graph `kg build` makes of the bundled corpus (what a user sees)."""
    from kg.graph import Corpus, to_networkx
    from kg.pipeline import extract_paths

    root = Path(__file__).resolve().parent.parent
    files = sorted((root / "corpus").glob("*.txt"))
    return to_networkx(Corpus.assemble(extract_paths(files, progress=False)))


def screenshot(browser, out: Path) -> None:
    """The view of the bundled corpus, as built, with its most connected entity selected."""
    with tempfile.TemporaryDirectory() as tmp:
        html = write_html(built_graph(), Path(tmp) / "graph.html", title="知识图谱 · 演示语料 Demo corpus")
        page = browser.new_page(viewport={"width": 1400, "height": 860})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:") else route.abort())
        page.goto(html.as_uri())
        page.wait_for_selector("body[data-ready='1']", state="attached")
        page.evaluate("""() => {
            const hub = kg.data.nodes.reduce((a, b) => (b.degree > a.degree ? b : a));
            kg.reveal(hub.id);
            kg.network.moveTo({ scale: 0.8 });
        }""")
        page.wait_for_timeout(300)
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=10_000, help="Synthetic graph size (default 10000).")
    parser.add_argument("--runs", type=int, default=3, help="Page loads per figure; medians are printed (default 3).")
    parser.add_argument("--chromium", default="/usr/bin/chromium", help="Chromium binary (default /usr/bin/chromium).")
    parser.add_argument("--keep", type=Path, help="Folder to keep the generated HTML files in.")
    parser.add_argument("--screenshot", type=Path, help="Only save a screenshot of the bundled corpus view here.")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    if args.screenshot:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
            screenshot(browser, args.screenshot)
            browser.close()
        print(f"Saved {args.screenshot}")
        return

    graph = synthetic_graph(args.nodes)
    out = args.keep or Path(tempfile.mkdtemp(prefix="kg-viz-bench-"))
    # The query: a project of middling degree, so the default page does not show it at first.
    query = graph.nodes[sorted(n for n in graph if n.startswith("PROJECT:"))[len(graph) // 3]]["label"]
    variants = [
        (f"default (opens on {DEFAULT_VIEW_LIMIT:,})", out / "default.html", DEFAULT_VIEW_LIMIT),
        ("all nodes drawn", out / "all.html", args.nodes),
    ]
    rows = []
    with sync_playwright() as pw:
        # launch() starts from a fresh temporary profile (its own --user-data-dir).
        browser = pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        for name, path, view_limit in variants:
            start = time.perf_counter()
            write_html(graph, path, title="Synthetic benchmark graph", view_limit=view_limit)
            build = time.perf_counter() - start
            rows.append((name, build, path.stat().st_size, measure_page(browser, path, query, args.runs)))
        browser.close()

    print(f"\nkg viz on a synthetic graph: {graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges"
          f" (medians of {args.runs} page loads, headless Chromium, software rendering)\n")
    print("| page | build s | HTML MB | first paint s | search s (handler) | reveal s | non-file requests |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, build, size, m in rows:
        print(f"| {name} | {build:.1f} | {size / 1e6:.1f} | {m['paint']:.2f} | "
              f"{m['search']:.3f} ({m['handler']:.3f}) | {m['reveal']:.2f} | {m['blocked']} |")


if __name__ == "__main__":
    main()
