"""`chickgraph ingest` and `chickgraph runs`: load or sync pages, and the run history."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline.cli.output import FORMAT_HELP, ROW_FORMATS, one_of, out, print_rows
from pipeline.errors import StrictModeFailure
from pipeline.load import cypher_files, db
from pipeline.settings import get_settings

if TYPE_CHECKING:
    from pipeline.ingest.summary import IngestSummary


def ingest_cmd(
    path: Annotated[Path | None, typer.Argument(
        help="A release root (content/genes/ or genes/, plus data/) or a folder of gene pages "
             "(*.md). Default: ingest.source in config, or CORPUS.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="A named source from config (folder or git repository).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail the run (exit 1) if any page fails validation.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", help="Seconds to wait for another run's lock (default: fail at once).",
        min=0)] = 0,
) -> None:
    """Load (or sync) a release (gene pages + data/ files) or a folder of pages into Neo4j.

    Unchanged pages are skipped by content hash; removed pages are deleted; bad pages are
    reported with file, field and reason and keep their previous data. Exit 0 when the run
    finished (even with bad pages), 1 when it could not run.
    """
    from pipeline.cli.ingest_run import run_ingest
    from pipeline.ingest.summary import IngestSummary

    settings = get_settings()
    if path is not None and source is not None:
        raise typer.BadParameter("give a PATH or --source, not both")
    folder = None if source is not None else (path or settings.ingest.source).resolve()
    try:
        summary = run_ingest(folder, source_name=source, show_progress=not as_json,
                             strict=strict, lock_wait_s=wait)
    except StrictModeFailure as failure:
        if isinstance(failure.summary, IngestSummary):  # every failed page, then exit 1
            _show(failure.summary, as_json)
        raise
    _show(summary, as_json)


def _show(summary: IngestSummary, as_json: bool) -> None:
    from pipeline.cli.ingest_run import render_summary

    if as_json:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
    else:
        render_summary(summary, out)


def runs_cmd(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs.", min=1)] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP,
                                     callback=one_of(*ROW_FORMATS))] = "table",
) -> None:
    """Recent ingestion runs recorded in the graph, newest first."""
    settings = get_settings()
    with db.connect(settings) as driver:
        rows = db.run_read(driver, settings, cypher_files.load("load/recent_runs"),
                           {"limit": limit})
    columns = ("started_at", "status", "source", "commit", "pages_seen", "pages_loaded",
               "pages_unchanged", "pages_failed", "pages_deleted", "seconds", "run_id")
    print_rows([{c: r["run"].get(c) for c in columns} for r in rows], fmt)
