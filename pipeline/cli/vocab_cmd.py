"""`chickgraph vocab check`: every stage and location label against the curated terms."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.output import echo, print_rows
from pipeline.settings import get_settings

app = typer.Typer(help="Curated stage and anatomy vocabularies.", no_args_is_help=True)


@app.command("check")
def vocab_check_cmd(
    path: Annotated[Path | None, typer.Argument(
        help="Folder of gene pages. Default: ingest.source in config, or CORPUS.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """List every stage and location label with the term it maps to and its count.

    Exits 1 when any label is unmapped (a location no curated term knows, or a stage label
    no rule recognises), so a new release is caught before it is loaded. Labels put in an
    explicit bucket (empty, unknown, other species' staging, typo) count as mapped.
    """
    from pipeline.transform.vocab.check import check
    from pipeline.transform.vocab.report import unmapped

    settings = get_settings()
    rows, issues = check((path or settings.ingest.source).resolve(), settings.ingest.max_page_bytes)
    missing = unmapped(rows)
    if as_json:
        sys.stdout.write(json.dumps({
            "rows": [r.model_dump() for r in rows], "unmapped": [r.model_dump() for r in missing],
            "unreadable_pages": [i.as_dict() for i in issues]}, indent=2) + "\n")
    else:
        print_rows([r.model_dump() for r in rows], "table")
        for issue in issues:
            echo(f"unreadable: {issue.file}: {issue.field}: {issue.message}")
        for row in missing:
            echo(f"UNMAPPED {row.kind} label {row.label!r} ({row.count}x)")
        echo(f"{len(rows)} labels, {len(missing)} unmapped")
    if missing:
        raise typer.Exit(1)
