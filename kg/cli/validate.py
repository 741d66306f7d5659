"""``kg validate``: check a graph file against the SHACL shapes of the ontology (pySHACL)."""
from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("graph_file", required=False, type=click.Path(path_type=Path), metavar="[FILE]")
@click.option("--shapes", type=click.Path(path_type=Path, exists=True), default=None, metavar="FILE",
              help="SHACL shapes to check against. Default: ontology/shapes.ttl.")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "turtle"]), default="text", show_default=True,
              help="Report as text for reading, or as a SHACL validation report graph in Turtle.")
def validate(graph_file, shapes, fmt):
    """Check FILE (default: outputs/graph.trig, else outputs/graph.ttl) against the SHACL shapes.

    Exit status, as pySHACL's: 0 the graph conforms, 1 it does not (the report says where),
    2 the graph or the shapes could not be read.
    """
    from kg.cli.query import default_graph_file
    from kg.rdf import validate_file

    report = validate_file(graph_file or default_graph_file(), shapes)
    click.echo(report.text if fmt == "text" else report.graph.serialize(format="turtle"), nl=False)
    if not report.conforms:
        sys.exit(1)
