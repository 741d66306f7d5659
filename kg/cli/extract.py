"""``kg extract``: the annotation-format JSON of each document, for scoring."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.errors import KgError


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1), help="Worker processes.")
def extract(paths, jobs):
    """Print one JSON object per document (JSON Lines) in the format of the annotation
    guidelines: doc, entities (type, name, aliases, attrs) and relations (head, relation,
    tail, evidence, offsets, rule, confidence). Unreadable files are reported on stderr.

    \b
    Example:
      kg extract corpus/*.txt > pred.jsonl
      kg eval --gold tests/data/gold pred.jsonl
    """
    from kg.ingest import iter_documents
    from kg.pipeline import document_ids, extract_paths

    for p in paths:
        if not p.exists():
            raise KgError(f"No such file or folder: {p}")
    files, skipped = iter_documents(list(paths))
    for path, reason in skipped:
        click.echo(f"skipped: {path}: {reason}", err=True)
    for res in extract_paths(files, jobs=jobs, progress=False, doc_ids=document_ids(list(paths), files)):
        if res.status != "ok":
            click.echo(f"{res.status}: {res.path}: {res.reason}", err=True)
            continue
        click.echo(json.dumps(res.to_annotation(), ensure_ascii=False, sort_keys=True))
