"""`chickgraph cypher`: raw Cypher, read-only unless --write (enforced by the server)."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.connection import connection
from pipeline.cli.output import FORMAT_HELP, ROW_FORMATS, one_of, parse_params, print_rows
from pipeline.load import db


def cypher_cmd(
    query: Annotated[str, typer.Argument(help="The Cypher query; values go in --param.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP,
                                     callback=one_of(*ROW_FORMATS))] = "table",
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="name=value (repeatable); JSON values are parsed.")] = None,
    write: Annotated[bool, typer.Option(
        "--write", help="Run in a write transaction (default: read-only).")] = False,
) -> None:
    """Run raw Cypher. Read-only unless --write: the server refuses writes otherwise."""
    settings = connection()  # what the server is and how to log in (no pydantic)
    params = parse_params(param or [])
    with db.connect(settings) as driver:
        if write:
            rows = db.run_write(driver, settings, query, params, memory_final=True)
        else:
            db.refuse_side_effects(driver, settings, query, params)
            rows = db.run_read(driver, settings, query, params, memory_final=True)
    print_rows(rows, fmt)
