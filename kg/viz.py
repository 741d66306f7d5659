"""The interactive HTML view of a corpus graph: one self-contained file, offline, searchable.

:func:`write_html` turns the NetworkX graph of :func:`kg.graph.to_networkx` into a single HTML
file that opens from ``file://`` with no network: vis-network (bundled with pyvis) and the
page's own script and style are inlined, and nothing links to a CDN. (pyvis' own templates
link Bootstrap from a CDN even with ``cdn_resources='in_line'``, so kg uses its own template,
``kg/templates/graph.html``, and pyvis for the node and edge records and the vis library.)

Why it stays usable on big graphs:

- the layout is computed once here, in Python (deterministic seed), and physics is off in the
  browser: vis-network's physics needs minutes to settle on a few thousand nodes;
- above ``view_limit`` nodes the page first shows only the most connected ones and says so;
  search, the filters and "show all" reach the rest;
- ``focus``/``hops`` cut an ego view and ``max_nodes`` caps what the file holds.

Every string from the documents travels as JSON inside a ``<script type="application/json">``
block with ``<``, ``>`` and ``&`` escaped, and the page writes them with ``textContent`` only,
so a name like ``<img src=x onerror=alert(1)>`` shows as text.

The output is deterministic: same graph and options, byte-identical file.
"""
from __future__ import annotations

import difflib
import json
import math
import os
from collections import deque
from collections.abc import Hashable
from pathlib import Path

import jinja2
import networkx as nx
import pyvis
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from kg.errors import KgError
from kg.files import write_atomic
from kg.normalize import normalise_name

DEFAULT_TITLE = "知识图谱 Knowledge graph"
DEFAULT_MAX_NODES = 20_000
DEFAULT_VIEW_LIMIT = 2_000
LAYOUT_SEED = 42

# Colour (Tableau 10, readable for most colour-blind viewers) and vis-network shape per type.
TYPE_STYLES: dict[str, dict[str, str]] = {
    "ORG": {"color": "#4e79a7", "shape": "dot", "name": "机构 Organisation"},
    "DISTRICT": {"color": "#59a14f", "shape": "hexagon", "name": "行政区 District"},
    "PROJECT": {"color": "#f28e2b", "shape": "diamond", "name": "项目 Project"},
    "POLICY": {"color": "#b07aa1", "shape": "square", "name": "政策 Policy"},
}
OTHER_STYLE = {"color": "#8c8c8c", "shape": "triangle", "name": "其他 Other"}

RELATION_NAMES: dict[str, str] = {
    "locatedIn": "位于",
    "memberOf": "成员",
    "subOrganizationOf": "下属",
    "leads": "领导",
    "issuedBy": "发布",
    "implements": "实施",
    "invests": "投资",
    "develops": "开发建设",
    "partnerOf": "合作",
}

# Node attributes the side panel names in this order; any other attribute follows by name.
ATTRIBUTE_NAMES: dict[str, str] = {
    "code": "行政区划代码 District code",
    "level": "级别 Level",
    "parent": "上级 Parent",
    "amount_cny": "投资额 Investment (CNY)",
    "doc_number": "文号 Document number",
}
# Attributes shown elsewhere in the panel (or used for drawing), not in the attribute table.
_NODE_FIELDS = {"label", "type", "aliases", "docs"}
_EDGE_FIELDS = {"relation", "evidence", "doc", "n_evidence", "confidence", "evidences"}

LABEL_CHARS = 14  # longer names are shortened on the canvas; the panel shows them in full
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
VIS_DIR = Path(pyvis.__file__).resolve().parent / "templates" / "lib" / "vis-9.1.2"


def write_html(
    graph: nx.MultiDiGraph,
    path: str | os.PathLike,
    *,
    title: str = DEFAULT_TITLE,
    focus: str | None = None,
    hops: int = 1,
    max_nodes: int = DEFAULT_MAX_NODES,
    view_limit: int = DEFAULT_VIEW_LIMIT,
) -> Path:
    """Write the interactive view of ``graph`` to ``path`` (atomically) and return the path.

    graph (nx.MultiDiGraph): as made by :func:`kg.graph.to_networkx` or read from its GraphML.
    path: the HTML file to write; its folder is created if missing.
    title (str): the page title.
    focus (str | None): an entity name, alias or key: show only its neighbourhood.
    hops (int): how far from ``focus`` the neighbourhood reaches.
    max_nodes (int): at most this many entities go into the file (nearest to ``focus``
        first, then the most connected); the page says when some were left out.
    view_limit (int): above this many entities the page opens on the most connected ones.
    RETURNS (Path): the written file.
    """
    html = render_html(
        graph, title=title, focus=focus, hops=hops, max_nodes=max_nodes, view_limit=view_limit
    )
    write_atomic(Path(path), html.encode("utf-8"))
    return Path(path)


def render_html(
    graph: nx.MultiDiGraph,
    *,
    title: str = DEFAULT_TITLE,
    focus: str | None = None,
    hops: int = 1,
    max_nodes: int = DEFAULT_MAX_NODES,
    view_limit: int = DEFAULT_VIEW_LIMIT,
) -> str:
    """The HTML text that :func:`write_html` writes (same arguments, no file)."""
    if hops < 0:
        raise KgError(f"hops must be 0 or more, not {hops}.", hint="Use --hops 1 for direct neighbours.")
    if max_nodes < 1:
        raise KgError(f"max_nodes must be at least 1, not {max_nodes}.", hint="Try --max-nodes 2000.")
    if view_limit < 1:
        raise KgError(f"view_limit must be at least 1, not {view_limit}.")
    kept, notes, centres = select_nodes(graph, focus=focus, hops=hops, max_nodes=max_nodes)
    view = graph.subgraph(kept)
    positions = compute_layout(view)
    network = build_network(graph, view, positions)
    degree = dict(graph.degree())
    initial = None
    if view.number_of_nodes() > view_limit:
        ranked = sorted(view.nodes, key=lambda n: (n not in centres, -degree[n], str(n)))
        initial = sorted(network.ids[n] for n in ranked[:view_limit])
        notes.append(
            f"大图：先显示连接最多的 {view_limit:,} 个实体（共 {view.number_of_nodes():,} 个）。"
            f"搜索、筛选或“显示全部”可查看其余。 Large graph: showing the {view_limit:,} most "
            f"connected of {view.number_of_nodes():,} entities; search or press “Show all” for the rest."
        )
    payload = {
        "title": title,
        "notes": notes,
        "initial": initial,
        "focus": sorted(network.ids[n] for n in centres),
        "nodes": network.nodes,
        "edges": network.edges,
        "types": _type_legend(view),
        "relations": _relation_legend(view),
        "attributeNames": ATTRIBUTE_NAMES,
    }
    return _render_template(title, payload, network.options)


# --- which nodes go into the file -------------------------------------------------------


def select_nodes(
    graph: nx.MultiDiGraph, *, focus: str | None, hops: int, max_nodes: int
) -> tuple[list[Hashable], list[str], list[Hashable]]:
    """The nodes to draw, notes for the reader about what was left out, and the focus nodes.

    Without ``focus`` all nodes, most connected first; with it, the nodes within ``hops``
    (edges followed both ways), nearest first. Either list is cut at ``max_nodes``.
    """
    degree = dict(graph.degree())
    notes: list[str] = []
    if focus is None:
        centres: list[Hashable] = []
        ranked = sorted(graph.nodes, key=lambda n: (-degree[n], str(n)))
    else:
        centres = find_nodes(graph, focus)
        distance = _hop_distances(graph, centres, hops)
        ranked = sorted(distance, key=lambda n: (distance[n], -degree[n], str(n)))
        names = "、".join(str(graph.nodes[c].get("label", c)) for c in centres)
        notes.append(f"以“{names}”为中心 {hops} 跳内的 {len(ranked):,} 个实体。 "
                     f"Entities within {hops} hop(s) of {names}: {len(ranked):,}.")
    if len(ranked) > max_nodes:
        notes.append(
            f"此文件只含 {max_nodes:,} / {len(ranked):,} 个实体（--max-nodes）。 "
            f"This file holds {max_nodes:,} of {len(ranked):,} entities (--max-nodes); "
            "use --focus NAME for the neighbourhood of one entity."
        )
        ranked = ranked[:max_nodes]
    return sorted(ranked, key=str), notes, centres


def find_nodes(graph: nx.MultiDiGraph, name: str) -> list[Hashable]:
    """The nodes whose key, label or an alias is ``name`` (compared normalised), sorted.

    Raises :class:`KgError` naming close candidates when there is none.
    """
    wanted = normalise_name(name)
    found = sorted(
        (n for n, data in graph.nodes(data=True) if wanted in _node_names(n, data)), key=str
    )
    if found:
        return found
    # Suggest names that contain the query (or are contained in it), then near misses.
    names = {other: str(data.get("label", n)) for n, data in graph.nodes(data=True)
             for other in _node_names(n, data) if other}
    close = sorted({label for other, label in names.items() if wanted in other or other in wanted})
    close += [names[o] for o in difflib.get_close_matches(wanted, sorted(names), n=5, cutoff=0.6)
              if names[o] not in close]
    close = close[:8]
    hint = ("Did you mean: " + ", ".join(close) + "?") if close else (
        "Names are matched whole, after normalisation; an entity key such as ORG:NAME works too.")
    raise KgError(f"No entity named {name!r} in the graph.", hint=hint)


def _node_names(node: Hashable, data: dict) -> set[str]:
    names = {str(node), str(data.get("label", ""))} | set(_split_list(data.get("aliases")))
    return {normalise_name(n) for n in names if n} | {str(node)}


def _hop_distances(graph: nx.MultiDiGraph, centres: list[Hashable], hops: int) -> dict:
    """Breadth-first distance (edges followed both ways) from ``centres``, up to ``hops``."""
    distance = {c: 0 for c in centres}
    queue = deque(centres)
    while queue:
        node = queue.popleft()
        if distance[node] == hops:
            continue
        for other in sorted(set(graph.successors(node)) | set(graph.predecessors(node)), key=str):
            if other not in distance:
                distance[other] = distance[node] + 1
                queue.append(other)
    return distance


# --- layout ----------------------------------------------------------------------------

SPRING_MAX = 499  # networkx runs its dense Fruchterman-Reingold below 500 nodes (no scipy)
NODE_SPACING = 130.0  # typical distance between neighbours, in vis-network canvas units


def compute_layout(graph: nx.MultiDiGraph, seed: int = LAYOUT_SEED) -> dict[Hashable, tuple[int, int]]:
    """Canvas positions for every node, computed once so the browser runs no physics.

    Each connected component is laid out on its own (a seeded spring layout of its
    ``SPRING_MAX`` most connected nodes; the rest placed around the neighbour that reaches
    them first), then the components are packed in rows, biggest first, and the isolated
    nodes form a grid below, grouped by type. Linear in the graph size beyond the spring part.
    """
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph.nodes, key=str))
    simple.add_edges_from(sorted(((u, v) for u, v in graph.edges() if u != v), key=lambda e: (str(e[0]), str(e[1]))))
    components = sorted(
        (sorted(c, key=str) for c in nx.connected_components(simple)),
        key=lambda c: (-len(c), str(c[0])),
    )
    blocks = [_component_layout(simple, comp, seed) for comp in components if len(comp) > 1]
    isolated = sorted(
        (n for comp in components if len(comp) == 1 for n in comp),
        key=lambda n: (str(graph.nodes[n].get("type", "")), str(n)),
    )
    positions = _pack(blocks, isolated)
    return {n: (round(x), round(y)) for n, (x, y) in positions.items()}


def _component_layout(simple: nx.Graph, nodes: list[Hashable], seed: int) -> dict[Hashable, tuple[float, float]]:
    degree = {n: simple.degree(n) for n in nodes}
    core = sorted(nodes, key=lambda n: (-degree[n], str(n)))[:SPRING_MAX]
    core_graph = nx.Graph()
    core_graph.add_nodes_from(sorted(core, key=str))
    core_graph.add_edges_from(simple.subgraph(core).edges())
    scale = NODE_SPACING * math.sqrt(len(core)) * 0.9
    raw = nx.spring_layout(core_graph, seed=seed, iterations=100, method="force")
    positions = {n: (float(p[0]) * scale, float(p[1]) * scale) for n, p in raw.items()}
    # The rest fan out around the placed neighbour that reaches them first, on a sunflower
    # spiral (golden angle), so big hubs get evenly filled discs at no quadratic cost.
    children: dict[Hashable, int] = {}
    queue = deque(sorted(core, key=lambda n: (-degree[n], str(n))))
    golden = math.pi * (3 - math.sqrt(5))
    while queue:
        parent = queue.popleft()
        for node in sorted(simple.neighbors(parent), key=str):
            if node in positions:
                continue
            i = children.get(parent, 0)
            children[parent] = i + 1
            radius = NODE_SPACING * 0.45 * math.sqrt(i + 1)
            px, py = positions[parent]
            positions[node] = (px + radius * math.cos(i * golden), py + radius * math.sin(i * golden))
            queue.append(node)
    return positions


def _pack(blocks: list[dict], isolated: list[Hashable]) -> dict[Hashable, tuple[float, float]]:
    """Place component layouts left to right in rows, then the isolated nodes in a grid."""
    gap = NODE_SPACING
    boxes = []
    for block in blocks:
        xs = [p[0] for p in block.values()]
        ys = [p[1] for p in block.values()]
        boxes.append((block, min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)))
    area = sum((w + gap) * (h + gap) for _, _, _, w, h in boxes) + len(isolated) * gap * gap
    row_width = max([math.sqrt(area) * 1.3] + [w for _, _, _, w, _ in boxes])
    positions: dict[Hashable, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for block, left, top, width, height in boxes:
        if x > 0 and x + width > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for node, (px, py) in block.items():
            positions[node] = (x + px - left, y + py - top)
        x += width + gap
        row_height = max(row_height, height)
    y += row_height + (gap * 1.5 if boxes else 0)
    # Grid cells as wide as a shortened label (LABEL_CHARS characters at 14 px) so labels don't touch.
    cell_width, cell_height = LABEL_CHARS * 15.0, gap * 0.75
    columns = max(1, int(row_width // cell_width))
    for i, node in enumerate(isolated):
        positions[node] = ((i % columns) * cell_width, y + (i // columns) * cell_height)
    return positions


# --- pyvis network ---------------------------------------------------------------------


class _Network(Network):
    """A pyvis Network that also maps node keys to the short numeric ids used in the page."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        self.ids: dict[Hashable, int] = {}


def build_network(
    graph: nx.MultiDiGraph, view: nx.MultiDiGraph, positions: dict[Hashable, tuple[int, int]]
) -> _Network:
    """The pyvis network of ``view``: styled nodes at ``positions``, labelled edges, options.

    Degrees (node size) come from the whole ``graph`` so a node looks the same in every view.
    Records are made with pyvis' ``Node``/``Edge`` but appended directly: ``add_node`` and
    ``add_edge`` scan every node per call, which is quadratic on a graph of 10,000 nodes.
    """
    net = _Network(directed=True, cdn_resources="in_line", height="100%", width="100%")
    order = sorted(view.nodes, key=str)
    net.ids = {node: i for i, node in enumerate(order)}
    degree = dict(graph.degree())
    for node in order:
        record = _node_record(node, view.nodes[node], degree[node], positions[node])
        options = Node(net.ids[node], record.pop("shape"), record.pop("label"), **record).options
        net.nodes.append(options)
        net.node_ids.append(options["id"])
        net.node_map[options["id"]] = options
    edges = sorted(view.edges(keys=True, data=True), key=lambda e: (str(e[0]), str(e[1]), str(e[2])))
    for i, (head, tail, key, data) in enumerate(edges):
        record = _edge_record(i, key, data)
        # directed=False: arrows come from the global edge options, not a field on every edge.
        net.edges.append(Edge(net.ids[head], net.ids[tail], directed=False, **record).options)
    net.options = _vis_options(big=view.number_of_nodes() > 1000)
    return net


def _node_record(node: Hashable, data: dict, degree: int, position: tuple[int, int]) -> dict:
    type_ = str(data.get("type", ""))
    style = TYPE_STYLES.get(type_, OTHER_STYLE)
    name = str(data.get("label") or node)
    short = name if len(name) <= LABEL_CHARS else name[: LABEL_CHARS - 1] + "…"
    attrs = [[k, _text(v)] for k, v in sorted(data.items(), key=lambda kv: _attribute_order(kv[0]))
             if k not in _NODE_FIELDS and v not in (None, "")]
    aliases = _split_list(data.get("aliases"))
    record = {
        "label": short,
        "shape": style["shape"],
        "color": style["color"],
        "x": position[0],
        "y": position[1],
        "size": round(min(8 + 4 * math.sqrt(degree), 40), 1),
        # Not vis-network options: what the page searches and shows in its panel. Empty
        # fields are left out (the page fills them in) to keep 10k-node files small.
        "key": str(node),
        "name": name,
        "type": type_,
        "aliases": aliases,
        "docs": _split_list(data.get("docs")),
        "attrs": attrs,
        "degree": degree,
    }
    if name == short:
        del record["name"]
    return {k: v for k, v in record.items() if v != []}


def _edge_record(index: int, key: Hashable, data: dict) -> dict:
    relation = str(data.get("relation") or key)
    evidence = _evidence_list(data)
    n_evidence = int(data.get("n_evidence") or len(evidence))
    extra = [[k, _text(v)] for k, v in sorted(data.items()) if k not in _EDGE_FIELDS and v not in (None, "")]
    record = {
        "id": index,
        "label": relation,  # the page also filters on it
        "evidence": evidence,
        "n_evidence": n_evidence,
        "confidence": _number(data.get("confidence")),
        "attrs": extra,
    }
    return {k: v for k, v in record.items() if v != []}


def _evidence_list(data: dict) -> list[list[str]]:
    """Every evidence sentence of an edge as ``[document, sentence]``.

    ``to_networkx`` keeps the first sentence (``evidence``/``doc``); an ``evidences``
    attribute, a JSON list of ``{"doc", "text"}``, gives all of them when present.
    """
    raw = data.get("evidences")
    if raw:
        try:
            items = json.loads(raw) if isinstance(raw, str) else raw
            return [[_text(i.get("doc", "")), _text(i.get("text", ""))] for i in items]
        except (ValueError, AttributeError, TypeError):
            pass  # not the JSON list we expect: fall back to the first sentence
    if data.get("evidence"):
        return [[_text(data.get("doc", "")), _text(data["evidence"])]]
    return []


def _vis_options(*, big: bool) -> dict:
    font = "'Noto Sans CJK SC', 'WenQuanYi Zen Hei', 'Microsoft YaHei', 'PingFang SC', sans-serif"
    return {
        "autoResize": True,
        "layout": {"improvedLayout": False, "randomSeed": LAYOUT_SEED},
        "physics": {"enabled": False},
        "interaction": {
            "hover": not big,
            "tooltipDelay": 200,
            "hideEdgesOnDrag": big,
            "hideEdgesOnZoom": big,
            "multiselect": False,
        },
        "nodes": {
            "borderWidth": 1,
            "borderWidthSelected": 3,
            "font": {"size": 14, "face": font, "color": "#222", "strokeWidth": 3, "strokeColor": "#ffffff"},
        },
        "edges": {
            "smooth": False,
            "width": 1,
            "selectionWidth": 2,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
            "color": {"color": "#a0a8b3", "highlight": "#d9480f", "hover": "#d9480f"},
            "font": {"size": 10, "face": font, "color": "#555", "strokeWidth": 3,
                     "strokeColor": "#ffffff", "align": "middle"},
        },
    }


def _type_legend(view: nx.MultiDiGraph) -> list[dict]:
    counts: dict[str, int] = {}
    for _, type_ in view.nodes(data="type"):
        counts[str(type_ or "")] = counts.get(str(type_ or ""), 0) + 1
    known = [t for t in TYPE_STYLES if t in counts] + sorted(t for t in counts if t not in TYPE_STYLES)
    return [{"type": t, "count": counts[t], **TYPE_STYLES.get(t, OTHER_STYLE)} for t in known]


def _relation_legend(view: nx.MultiDiGraph) -> list[dict]:
    counts: dict[str, int] = {}
    for _, _, key, relation in view.edges(keys=True, data="relation"):
        name = str(relation or key)
        counts[name] = counts.get(name, 0) + 1
    return [{"relation": r, "name": RELATION_NAMES.get(r, ""), "count": counts[r]} for r in sorted(counts)]


# --- HTML -----------------------------------------------------------------------------


def _render_template(title: str, payload: dict, options: dict) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)),
        autoescape=True,
        keep_trailing_newline=True,
    )
    template = env.get_template("graph.html")
    return template.render(
        title=title,
        data_json=_script_json(payload),
        options_json=_script_json(options),
        # The source map is not shipped: drop the comment that points at it.
        vis_js=(VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8").replace(
            "//# sourceMappingURL=vis-network.min.js.map", ""),
        legend=payload["types"],
    )


def _script_json(value) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, no HTML comment, no ``&``.

    Returned as Markup: it is already escaped for its place.
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                         ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return jinja2.utils.markupsafe.Markup(text)


def _split_list(value) -> list[str]:
    """GraphML keeps lists as ' | '-joined strings (see ``kg.graph._scalar``)."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [part for part in str(value).split(" | ") if part]


def _attribute_order(name: str) -> tuple[int, str]:
    names = list(ATTRIBUTE_NAMES)
    return (names.index(name) if name in names else len(names), name)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value) -> float | None:
    try:
        return round(float(value), 4)
    except (TypeError, ValueError):
        return None
