"""``kg export``: the graph in another format (RDF, GraphML or GEXF)."""
from __future__ import annotations

from pathlib import Path

import click

from kg.errors import KgError

FORMATS = ("turtle", "nt", "nquads", "trig", "jsonld", "graphml", "gexf")


def _graph_file(path: Path | None) -> Path:
    from kg.cli.query import default_graph_file

    if path is None:
        return default_graph_file()
    if path.is_dir():
        for name in ("graph.trig", "graph.ttl", "graph.nq", "graph.nt", "graph.jsonld"):
            if (path / name).is_file():
                return path / name
        raise KgError(f"No graph file in {str(path)!r}.", hint="Point --graph at a .trig/.ttl file or a `kg build` output folder.")
    return path


@click.command()
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), required=True,
              help="turtle, nt (N-Triples), nquads, trig, jsonld (with the ontology's context); "
                   "graphml or gexf (NetworkX, for Gephi, with types and attributes).")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE",
              help="Write to FILE (atomically). Default: stdout.")
@click.option("-g", "--graph", "graph_path", type=click.Path(path_type=Path), metavar="DIR-or-FILE",
              help="Graph to export: an RDF file or a `kg build` output folder. Default: outputs/graph.trig, else outputs/graph.ttl.")
@click.option("--base", metavar="IRI", default=None,
              help="Base namespace the graph's IRIs were minted under. Default: read from the graph.")
def export(fmt, output, graph_path, base):
    """Export the knowledge graph as RDF, GraphML or GEXF.

    Output is deterministic: the same graph gives byte-identical files. Single-graph formats
    (turtle, nt, graphml, gexf) hold the union of the graph's named graphs.

    \b
    Examples:
      kg export -f nt -o graph.nt
      kg export -f gexf -o graph.gexf --graph outputs/
    """
    from kg import rdf
    from kg.graph import networkx_bytes, to_networkx
    from kg.store import get_store

    source = _graph_file(graph_path)
    store = get_store("oxigraph")
    store.load(source)
    if fmt in ("graphml", "gexf"):
        data = networkx_bytes(to_networkx(rdf.corpus_from_graph(store.graph, base)), fmt)
    else:
        data = rdf.serialize(store.graph, fmt, base)
    if output:
        rdf.write_atomic(output, data)
    else:
        click.echo(data.decode("utf-8"), nl=False)
