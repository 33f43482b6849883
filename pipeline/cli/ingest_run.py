"""Run the ingestion flow from the command line: pre-flight checks, progress, summary.

The checks (source folder, Neo4j reachable) run before Prefect is imported, so a user with
Neo4j down gets a one-line error in seconds rather than after Prefect's start; Prefect's
temporary API (when no server is configured) is started before the Neo4j check, in the
background, and stopped again if the check fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from pipeline.errors import SourceError
from pipeline.ingest.summary import IngestSummary
from pipeline.load import db
from pipeline.settings import Settings, get_settings

if TYPE_CHECKING:
    from pipeline.flow.ephemeral_api import EphemeralApi


def check_source(source: Path | None) -> None:
    if source is not None and not source.exists():
        raise SourceError(f"source folder {source} does not exist")
    if source is not None and not source.is_dir():
        raise SourceError(f"source {source} is not a folder")


def start_prefect_api(settings: Settings) -> EphemeralApi | None:
    """Prefect's temporary API, started now so that its start overlaps the Neo4j check and
    the imports (pipeline/flow/ephemeral_api.py); None with a Prefect server configured."""
    from pipeline.flow.ephemeral_api import start_early
    from pipeline.flow.prefect_env import configure_prefect

    configure_prefect(settings)
    return start_early(settings.prefect.home)


def run_ingest(
    source: Path | None, source_name: str | None = None, show_progress: bool = True,
    strict: bool = False, lock_wait_s: float = 0,
) -> IngestSummary:
    """Run the flow on a folder (`source`) or a named source from config (`source_name`)."""
    check_source(source)
    settings = get_settings()
    api = start_prefect_api(settings)
    try:
        with db.connect(settings):  # Neo4j down: one line now, not after Prefect's start
            pass
    except BaseException:
        if api is not None:
            api.stop(wait=False)  # never used: the error need not wait for its start-up
        raise
    from pipeline.flow.runner import console_quiet, run_ingest_flow

    kwargs = {"source": None if source is None else str(source), "source_name": source_name,
              "strict": strict, "lock_wait_s": lock_wait_s}
    if not show_progress:
        with console_quiet(settings):  # failures: one line from main(), not Prefect's logs
            return run_ingest_flow(settings, **kwargs)
    with console_quiet(settings), Progress(
        TextColumn("[bold]ingest[/]"), BarColumn(), MofNCompleteColumn(),
        TextColumn("pages"), TimeElapsedColumn(), transient=False,
        console=Console(stderr=True),
    ) as progress:
        task_id = progress.add_task("pages", total=None)

        def update(_stage: str, done: int, total: int) -> None:
            progress.update(task_id, completed=done, total=total)

        return run_ingest_flow(settings, **kwargs, progress=update)


def render_summary(summary: IngestSummary, console: Console) -> None:
    console.print(
        f"[bold]{summary.pages_seen}[/] pages seen: {summary.pages_loaded} loaded, "
        f"{summary.pages_unchanged} unchanged, {summary.pages_failed} failed, "
        f"{summary.pages_deleted} deleted in {summary.seconds:.1f} s"
    )
    if summary.step_seconds:
        console.print(summary.steps_line())
    table = Table("label", "nodes", "type", "relationships")
    nodes, rels = list(summary.nodes.items()), list(summary.relationships.items())
    for index in range(max(len(nodes), len(rels))):
        label, count = nodes[index] if index < len(nodes) else ("", "")
        rtype, rcount = rels[index] if index < len(rels) else ("", "")
        table.add_row(label, str(count), rtype, str(rcount))
    console.print(table)
    for report in summary.enrichment:
        style = "yellow" if report.error else ""
        console.print(Text(report.headline(), style=style))
    for line in summary.release_text():
        console.print(Text(line))
    errors = [e for e in summary.errors if e.severity == "error"]
    warnings = [e for e in summary.errors if e.severity != "error"]
    for issue in errors[:50]:
        console.print(Text.assemble(("error ", "red"),
                                    f"{issue.file}: {issue.field}: {issue.message}"))
    if len(errors) > 50:
        console.print(f"... and {len(errors) - 50} more errors (use --json for all)")
    if warnings:
        console.print(f"{len(warnings)} warning(s) (use --json to list them)")
