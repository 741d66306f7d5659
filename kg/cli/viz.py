"""``kg viz``: write the interactive HTML view of a built graph."""
from __future__ import annotations

from pathlib import Path
from xml.etree.ElementTree import ParseError

import click

from kg.errors import KgError

DEFAULT_GRAPH = Path("outputs/graph.graphml")
DEFAULT_HTML = Path("outputs/graph.html")


def read_graph(path: Path):
    """The corpus graph from the GraphML file that ``kg build`` writes."""
    import networkx as nx

    if not path.exists():
        raise KgError(f"No graph file at {path}.",
                      hint="Run `kg build` first (it writes outputs/graph.graphml), or pass --graph PATH.")
    if path.suffix.lower() != ".graphml":
        raise KgError(f"{path} is not a GraphML file (.graphml).",
                      hint="kg viz reads the GraphML that `kg build` writes: outputs/graph.graphml.")
    try:
        return nx.read_graphml(path, force_multigraph=True)
    except (ParseError, nx.NetworkXError, ValueError, KeyError) as err:
        raise KgError(f"Cannot read the graph in {path}: {err}",
                      hint="Rebuild it with `kg build`; kg viz expects the GraphML written by kg.") from err


@click.command("viz")
@click.option("--graph", "graph_path", type=click.Path(path_type=Path, dir_okay=False),
              default=DEFAULT_GRAPH, show_default=True,
              help="GraphML file written by `kg build`.")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
              default=DEFAULT_HTML, show_default=True,
              help="HTML file to write; one self-contained page that opens offline.")
@click.option("--focus", metavar="NAME",
              help="Show only the neighbourhood of this entity (name, alias or key such as ORG:重庆大学). "
                   "Default: the whole graph.")
@click.option("--hops", type=click.IntRange(min=0), default=1, show_default=True,
              help="With --focus: how many edges away from the entity to reach.")
@click.option("--max-nodes", type=click.IntRange(min=1), default=None,
              help="At most this many entities in the file (nearest to --focus first, then the most "
                   "connected); the page says what was left out. Default: 20000.")
@click.option("--view-limit", type=click.IntRange(min=1), default=None,
              help="Above this many entities the page opens on the most connected ones and says so; "
                   "search and 'Show all' reach the rest. Default: 2000.")
@click.option("--title", default=None, help="Page title. Default: 知识图谱 Knowledge graph.")
def viz(graph_path: Path, output: Path, focus: str | None, hops: int, max_nodes: int | None,
        view_limit: int | None, title: str | None) -> None:
    """Write the interactive graph view: search, filters, evidence on click.

    \b
    Examples:
      kg viz                              # outputs/graph.graphml -> outputs/graph.html
      kg viz --focus 重庆大学 --hops 2 -o chongqing-university.html
    Open the HTML file in any browser; it needs no network.
    """
    from kg import viz as view

    graph = read_graph(graph_path)
    written = view.write_html(
        graph,
        output,
        title=title or view.DEFAULT_TITLE,
        focus=focus,
        hops=hops,
        max_nodes=max_nodes or view.DEFAULT_MAX_NODES,
        view_limit=view_limit or view.DEFAULT_VIEW_LIMIT,
    )
    click.echo(f"Wrote {written} from {graph_path} ({graph.number_of_nodes():,} entities, "
               f"{graph.number_of_edges():,} relations in the graph).")
