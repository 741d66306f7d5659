"""``kg push``: replace a named graph on a SPARQL server with the knowledge graph."""
from __future__ import annotations

from pathlib import Path

import click

from kg.push import DEFAULT_GRAPH


@click.command()
@click.option("-e", "--endpoint", required=True, metavar="URL",
              help="Graph Store endpoint (e.g. http://127.0.0.1:7878/store, "
                   "http://HOST:8890/sparql-graph-crud-auth), or with --protocol update an update endpoint.")
@click.option("-g", "--graph", "graph_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Graph file to push. Default: outputs/graph.trig, else outputs/graph.ttl.")
@click.option("--graph-iri", default=DEFAULT_GRAPH, show_default=True, metavar="IRI",
              help="Named graph to replace on the server; `kg query --endpoint` reads this one by default.")
@click.option("--protocol", type=click.Choice(["gsp", "update"]), default="gsp", show_default=True,
              help="gsp: one Graph Store Protocol PUT (atomic replace). update: SPARQL Update "
                   "(one request, or chunks into a staging graph then MOVE).")
@click.option("--user", metavar="USER", help="User (or KG_ENDPOINT_USER).")
@click.option("--password", metavar="PASSWORD", help="Password (or KG_ENDPOINT_PASSWORD).")
@click.option("--auth", "auth_scheme", type=click.Choice(["digest", "basic"]), default="digest", show_default=True,
              help="HTTP authentication scheme for --user.")
def push(endpoint, graph_file, graph_iri, protocol, user, password, auth_scheme):
    """Push the knowledge graph to a SPARQL 1.1 server, replacing one named graph.

    Speaks only the standard protocols, so it works with Oxigraph, Virtuoso, GraphDB, Fuseki,
    QLever or Neptune. Named graphs of the file are merged into the one graph pushed.

    \b
    Examples:
      kg push --endpoint http://127.0.0.1:7878/store
      kg push --endpoint http://127.0.0.1:8890/sparql-graph-crud-auth --user dba --password dba
      kg query --name most-connected --endpoint http://127.0.0.1:7878/query
    """
    from kg.cli.query import default_graph_file, endpoint_auth
    from kg.push import push as do_push

    report = do_push(graph_file or default_graph_file(), endpoint, graph=graph_iri, protocol=protocol,
                     auth=endpoint_auth(user, password, auth_scheme))
    click.echo(f"Pushed {report.triples} triples to <{report.graph}> at {report.endpoint} "
               f"({report.protocol}, {report.requests} request{'s' if report.requests != 1 else ''}).", err=True)
