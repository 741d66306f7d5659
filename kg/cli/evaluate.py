"""``kg eval``: precision, recall and F1 against gold graphs."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kg.errors import KgError


@click.command("eval")
@click.option("--gold", "gold_dir", required=True, type=click.Path(path_type=Path),
              help="Folder of gold graphs (*.json, one document each, as in tests/data/gold).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON instead of a table.")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
def eval_command(gold_dir, as_json, inputs):
    """Score predictions against gold graphs, as GUIDELINES.md defines it: entity P/R/F1
    per type and relation P/R/F1 per relation, micro-averaged over documents.

    INPUTS is either a JSON Lines file written by `kg extract`, or documents to extract
    and score in one go.

    \b
    Examples:
      kg eval --gold tests/data/gold pred.jsonl
      kg eval --gold tests/data/gold corpus/
    """
    from kg.evaluate import format_table, load_gold, read_jsonl, score

    golds = load_gold(gold_dir)
    for p in inputs:
        if not p.exists():
            raise KgError(f"No such file or folder: {p}")
    if len(inputs) == 1 and inputs[0].suffix == ".jsonl":
        preds = read_jsonl(inputs[0])
    else:
        from kg.ingest import iter_documents
        from kg.pipeline import document_ids, extract_paths

        files, _ = iter_documents(list(inputs))
        results = extract_paths(files, progress=False, doc_ids=document_ids(list(inputs), files))
        preds = [r.to_annotation() for r in results if r.status == "ok"]
    result = score(preds, golds)
    if as_json:
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2, sort_keys=True))
    else:
        click.echo(format_table(result), nl=False)
