"""The ``kg`` command line: a click group of thin commands over the library.

Each command lives in its own module and calls one library function; errors a user
can cause are :class:`kg.errors.KgError` and print as one line plus a hint.
"""
from __future__ import annotations

import sys

import click

from kg import __version__
from kg.errors import KgError


class KgGroup(click.Group):
    """Prints :class:`KgError` as ``Error: ...`` + ``Hint: ...`` and exits 2 (1 for failed checks)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except KgError as err:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            click.echo(f"Error: {err}", err=True)
            if err.hint:
                click.echo(f"Hint: {err.hint}", err=True)
            sys.exit(err.exit_code)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
@click.option("--debug", is_flag=True, help="Show the full traceback of errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Build a knowledge graph from Chinese policy and news documents.

    \b
    Start with the bundled demo corpus:
      kg build                  # writes outputs/ (Turtle, TriG, JSON-LD, GraphML, HTML, CSV)
      kg stats                  # what is in the graph
      kg query --name entities-by-district -p district=綦江区
      kg viz --focus 重庆大学    # an ego view in the browser
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _register() -> None:
    from kg.cli.build import build
    from kg.cli.evaluate import eval_command
    from kg.cli.export import export
    from kg.cli.extract import extract
    from kg.cli.push import push
    from kg.cli.query import query
    from kg.cli.stats import stats
    from kg.cli.validate import validate
    from kg.cli.viz import viz

    for command in (build, extract, eval_command, query, export, viz, stats, validate, push):
        main.add_command(command)


_register()
