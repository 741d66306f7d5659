"""``kg build``: documents in, every output of the graph out."""
from __future__ import annotations

import os
from pathlib import Path

import click

from kg.errors import KgError


def parse_size(text: str) -> int:
    """``50MB`` / ``200KB`` / ``1GB`` / a number of bytes."""
    units = {"KB": 1024, "MB": 1024**2, "GB": 1024**3, "B": 1}
    t = text.strip().upper()
    for unit, factor in units.items():
        if t.endswith(unit) and t[: -len(unit)].strip().replace(".", "", 1).isdigit():
            return int(float(t[: -len(unit)]) * factor)
    if t.isdigit():
        return int(t)
    raise click.BadParameter(f"{text!r} is not a size; write e.g. 50MB, 500KB or 1GB.")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--output", "outdir", default="outputs", show_default=True, type=click.Path(path_type=Path),
              help="Folder for the outputs. Existing outputs are replaced only when the build succeeds.")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(0),
              help="Worker processes for extraction; 0 means one per CPU core. Outputs do not depend on it.")
@click.option("--no-cache", is_flag=True,
              help="Re-extract every document. By default unchanged documents are read from OUTPUT/.kg-cache.")
@click.option("--max-size", default="50MB", show_default=True, callback=lambda c, p, v: parse_size(v),
              help="Skip files larger than this (reported in report.json).")
@click.option("--base", default=None, metavar="IRI",
              help="Base namespace for entity IRIs (default https://kg.example.org/).")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="Run extraction on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' "
                   "for a local cluster of --jobs workers. Outputs are identical to a local build.")
@click.option("--strict", is_flag=True, help="Exit with status 1 if any file was skipped or failed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar or summary on stderr.")
def build(paths, outdir, jobs, no_cache, max_size, base, scheduler, strict, quiet):
    """Build the knowledge graph of PATHS (files or folders, searched recursively
    for .txt .md .html .htm .docx .pdf). With no PATHS, builds the bundled demo corpus.

    \b
    Writes to OUTPUT (default outputs/):
      graph.ttl graph.trig graph.jsonld   RDF (TriG: one named graph per document)
      graph.graphml                       NetworkX graph, opens in Gephi
      graph.html                          interactive view, works offline
      entities.csv relations.csv          tables, one row per entity / fact
      report.json                         per-file status, counts, timings

    \b
    Examples:
      kg build
      kg build ~/policies -o out/ -j 2
    """
    from kg.pipeline import build as run_build

    for p in paths:
        if not p.exists():
            raise KgError(f"No such file or folder: {p}", hint="Check the path; folders are searched recursively.")
    report = run_build(paths, outdir, jobs=jobs or os.cpu_count() or 1, use_cache=not no_cache,
                       max_bytes=max_size, base=base, progress=not quiet,
                       scheduler=scheduler)
    if not quiet:
        c = report.counts
        click.echo(
            f"{c['ok']} of {c['documents']} documents processed ({c['skipped']} skipped, {c['failed']} failed): "
            f"{c['entities']} entities, {c['relations']} relations -> {outdir}/",
            err=True,
        )
        for f in report.failed:
            click.echo(f"  {f['status']}: {f['path']}: {f['reason']}", err=True)
    if strict and report.failed:
        raise SystemExit(1)
