"""``kg stats``: what is in a built graph."""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from kg.errors import KgError


@click.command()
@click.option("--graph", "graph_file", default="outputs/graph.graphml", show_default=True,
              type=click.Path(path_type=Path), help="The GraphML file written by `kg build`.")
@click.option("--top", default=10, show_default=True, type=click.IntRange(0), help="How many top-degree nodes.")
def stats(graph_file, top):
    """Counts of entities by type and relations by name, and the most connected entities.

    \b
    Example:
      kg build && kg stats --top 5
    """
    import networkx as nx

    if not graph_file.exists():
        raise KgError(f"No graph at {graph_file}.", hint="Run `kg build` first, or pass --graph FILE.")
    graph = nx.read_graphml(graph_file, force_multigraph=True)
    types = Counter(d.get("type", "?") for _, d in graph.nodes(data=True))
    rels = Counter(d.get("relation", "?") for *_, d in graph.edges(data=True))
    click.echo(f"{graph.number_of_nodes()} entities, {graph.number_of_edges()} relations")
    click.echo("\nentities by type")
    for name, n in sorted(types.items(), key=lambda x: (-x[1], x[0])):
        click.echo(f"  {name:<18} {n:>6}")
    click.echo("\nrelations")
    for name, n in sorted(rels.items(), key=lambda x: (-x[1], x[0])):
        click.echo(f"  {name:<18} {n:>6}")
    if top:
        click.echo(f"\ntop {top} by degree")
        ranked = sorted(graph.degree(), key=lambda x: (-x[1], x[0]))[:top]
        for node, degree in ranked:
            d = graph.nodes[node]
            click.echo(f"  {degree:>4}  {d.get('label', node)} ({d.get('type', '?')})")
