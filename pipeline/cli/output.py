"""Console output shared by the commands: tables/JSON/CSV rows, one-line messages.

Data is always printed verbatim (never read as Rich markup); messages go to stderr so that
`--format json` output on stdout stays machine-readable.

Rich is imported only when something is drawn with it (tables, `out`/`err`): `--format json`
or `csv` and one-line messages are plain writes, so `chickgraph query ... --format json` does
not pay for Rich's import (see `__getattr__`)."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

if TYPE_CHECKING:
    from rich.console import Console

    out: Console  # stdout
    err: Console  # stderr

FORMAT_HELP = "Output format: table, json (an array of row objects) or csv."
ROW_FORMATS = ("table", "json", "csv")


def one_of(*allowed: str) -> Callable[[str], str]:
    """The `callback` of a --format option: a value not in `allowed` is refused (exit 2, the
    choices named) instead of falling back to the default format."""
    def check(value: str) -> str:
        if value not in allowed:
            raise typer.BadParameter(f"unknown format {value!r}; choose {', '.join(allowed)}")
        return value

    return check

_CONSOLES: dict[str, Console] = {}


def __getattr__(name: str) -> Console:
    """`out` and `err`, Rich consoles created (and Rich imported) on first use."""
    if name not in ("out", "err"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return _console(name)


def _console(name: str) -> Console:
    console = _CONSOLES.get(name)
    if console is None:
        from rich.console import Console

        if name == "out":  # not a terminal (pipes, CI): tables not squeezed to 80 columns
            console = Console() if sys.stdout.isatty() else Console(width=200)
        else:
            console = Console(stderr=True, soft_wrap=True)
        console = _CONSOLES.setdefault(name, console)
    return console


def echo(message: str) -> None:
    """One line on stderr, verbatim (what `err.print(markup=False, highlight=False)` printed,
    without importing Rich)."""
    sys.stderr.write(f"{message}\n")
    sys.stderr.flush()


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """`name=value` pairs; a value that parses as JSON (numbers, lists...) is used as such."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{pair!r}: expected name=value", param_hint="--param")
        try:
            params[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[name.strip()] = raw
    return params


def _plain(value: Any) -> Any:
    """Driver values (nodes, temporals) -> JSON-friendly Python values."""
    if hasattr(value, "to_native"):
        return value.to_native().isoformat()
    if hasattr(value, "items") and hasattr(value, "element_id"):
        return dict(value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    rows = [{k: _plain(v) for k, v in row.items()} for row in rows]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else []
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v
                             for k, v in row.items()})
        sys.stdout.write(buffer.getvalue())
    else:
        from rich.table import Table
        from rich.text import Text

        table = Table(show_lines=False)
        for column in rows[0] if rows else []:
            table.add_column(Text(column))
        for row in rows:  # Text(): data is shown verbatim, never read as Rich markup
            table.add_row(*[Text(json.dumps(v, default=str) if isinstance(v, list | dict)
                                 else str(v)) for v in row.values()])
        _console("out").print(table)
        echo(f"{len(rows)} row(s)")
