"""``kg query``: SPARQL over the built graph or an endpoint, read-only unless ``--update``."""
from __future__ import annotations

import os
from pathlib import Path

import click

from kg.errors import KgError

DEFAULT_GRAPHS = (Path("outputs/graph.trig"), Path("outputs/graph.ttl"))


def default_graph_file() -> Path:
    """The graph ``kg build`` wrote: outputs/graph.trig, else outputs/graph.ttl."""
    for path in DEFAULT_GRAPHS:
        if path.is_file():
            return path
    raise KgError("No graph file in outputs/.", hint="Run `kg build` first, or pass --graph FILE or --endpoint URL.")


def parse_param(ctx, param, values) -> dict[str, str]:
    out = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r} should be NAME=VALUE, e.g. district=綦江区.")
        out[name.strip().lstrip("$")] = text
    return out


def endpoint_auth(user: str | None, password: str | None, scheme: str):
    """Credentials from the options, or KG_ENDPOINT_USER / KG_ENDPOINT_PASSWORD."""
    from kg.push import Auth

    user = user or os.environ.get("KG_ENDPOINT_USER")
    password = password if password is not None else os.environ.get("KG_ENDPOINT_PASSWORD")
    if not user:
        return None
    if password is None:
        raise KgError("A --user needs a password.", hint="Pass --password or set KG_ENDPOINT_PASSWORD.")
    return Auth(user, password, scheme)


def _list_saved() -> str:
    from kg.query import saved_queries

    lines = []
    for saved in saved_queries().values():
        params = " ".join(f"[{p.name}=…]" for p in saved.params.values())
        lines.append(f"{saved.name:30} {saved.title}" + (f"  {params}" if params else ""))
    return "\n".join(lines)


@click.command()
@click.argument("sparql", required=False, metavar="SPARQL-or-FILE")
@click.option("-n", "--name", metavar="NAME", help="Run the saved query NAME (ontology/queries/NAME.rq); see --list.")
@click.option("--list", "list_saved", is_flag=True, help="List the saved queries and their parameters, then exit.")
@click.option("-p", "--param", "params", multiple=True, callback=parse_param, metavar="NAME=VALUE",
              help="Fill the query's $NAME with VALUE (repeatable), e.g. -p district=綦江区.")
@click.option("-g", "--graph", "graph_file", type=click.Path(path_type=Path), metavar="FILE",
              help="Graph file to query (.ttl .trig .nt .nq .jsonld). Default: outputs/graph.trig, else outputs/graph.ttl.")
@click.option("-e", "--endpoint", metavar="URL",
              help="Query a SPARQL endpoint instead of a file, e.g. http://127.0.0.1:7878/query.")
@click.option("--default-graph", metavar="IRI", default=None,
              help="With --endpoint: the graph queries see. Default: the graph `kg push` writes "
                   "(https://kg.example.org/kg); pass '' for the endpoint's own default graph.")
@click.option("--update-endpoint", metavar="URL", help="With --endpoint --update: where updates go. Default: --endpoint.")
@click.option("-f", "--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json"]), default="table",
              show_default=True, help="Output: a table for reading, or W3C SPARQL results as CSV, TSV or JSON.")
@click.option("--update", is_flag=True,
              help="Allow SPARQL Update (INSERT, DELETE, DROP ...). Without it updates are refused. "
                   "On a file the change is written back to the file.")
@click.option("--store", default="oxigraph", show_default=True, type=click.Choice(["oxigraph", "memory"]),
              help="Embedded engine for files: oxigraph (fast) or memory (pure-Python rdflib).")
@click.option("--user", metavar="USER", help="Endpoint user (or KG_ENDPOINT_USER).")
@click.option("--password", metavar="PASSWORD", help="Endpoint password (or KG_ENDPOINT_PASSWORD).")
@click.option("--auth", "auth_scheme", type=click.Choice(["digest", "basic"]), default="digest", show_default=True,
              help="HTTP authentication scheme for --user.")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="FILE", help="Write the answer to FILE instead of stdout.")
def query(sparql, name, list_saved, params, graph_file, endpoint, default_graph, update_endpoint, fmt, update,
          store, user, password, auth_scheme, output):
    """Run a SPARQL query on the knowledge graph.

    SPARQL-or-FILE is the query text or a .rq file. Queries see all of the graph, named graphs
    included. Updates are refused unless --update is given.

    \b
    Examples:
      kg query --list
      kg query --name entities-by-district -p district=綦江区
      kg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }' --format csv
      kg query --name most-connected --endpoint http://127.0.0.1:7878/query
    """
    from kg import query as q

    if list_saved:
        click.echo(_list_saved())
        return
    text, saved = q.resolve(sparql, name)
    graph = None if endpoint else (graph_file or default_graph_file())
    result = q.run(text, graph=graph, endpoint=endpoint, update=update, update_endpoint=update_endpoint,
                   default_graph=default_graph, auth=endpoint_auth(user, password, auth_scheme), store=store,
                   params=params, declared=saved.params if saved else None)
    out = q.format_result(result, fmt)
    if output:
        from kg.rdf import write_atomic

        write_atomic(output, out.encode("utf-8"))
    else:
        click.echo(out, nl=False)
