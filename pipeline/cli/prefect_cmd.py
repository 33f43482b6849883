"""`chickgraph prefect ...` and `chickgraph serve`: Prefect servers and the scheduled
deployment. Prefect itself is imported only inside the commands (it costs ~1 s)."""

from __future__ import annotations

from typing import Annotated

import typer

from pipeline.cli.output import echo, out
from pipeline.settings import get_settings

app = typer.Typer(
    help="A managed local Prefect server: each command's flow then runs ~2 s sooner than on "
         "a temporary API of its own (bench/RESULTS.md).",
    no_args_is_help=True)


@app.command("start")
def prefect_start() -> None:
    """Start `prefect server start` on 127.0.0.1 (idempotent); later commands use it."""
    from pipeline.servers import prefect_server

    url = prefect_server.start(get_settings(), echo)
    echo(f"Prefect server running at {url}")


@app.command("stop")
def prefect_stop() -> None:
    """Stop the managed Prefect server."""
    from pipeline.servers import prefect_server

    echo("Prefect server stopped" if prefect_server.stop(get_settings())
          else "Prefect server was not running")


@app.command("status")
def prefect_status() -> None:
    """Which Prefect API flows use: PREFECT_API_URL, the managed server, or ephemeral."""
    import os

    from pipeline.servers import prefect_server

    url = os.environ.get("PREFECT_API_URL") or prefect_server.running_url(get_settings())
    out.print(f"api {url}" if url else "ephemeral (no server running)", markup=False)


def serve_cmd(
    cron: Annotated[str | None, typer.Option(
        help="Cron schedule (default: schedule.cron).")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="Named source to ingest (default: schedule.source).")] = None,
) -> None:
    """Serve the ingestion flow as a Prefect deployment on a cron schedule (blocks).

    Scheduled runs ingest the configured source; trigger one by hand with
    `prefect deployment run chickgraph-ingest/<deployment>`. Use a Prefect server
    (`chickgraph prefect start` or PREFECT_API_URL) so the schedule outlives this process.
    """
    settings = get_settings()
    from pipeline.extract.sources import named_source
    from pipeline.flow.prefect_env import configure_prefect

    schedule = settings.schedule
    name = source or schedule.source
    named_source(settings, name)  # fail now, not at 3 a.m.
    # before Prefect is imported: it reads its settings (the managed server's API URL that
    # configure_prefect finds) once, at import; imported first, it served on a temporary
    # API, which cannot schedule
    configure_prefect(settings)
    cron = _checked_cron(cron or schedule.cron, schedule.timezone)
    from prefect.flows import EntrypointType

    from pipeline.flow.flows import ingest_flow, task_runner

    echo(f"serving {ingest_flow.name}/{schedule.deployment}: cron {cron!r} "
          f"({schedule.timezone}), source {name!r}")
    ingest_flow.with_options(task_runner=task_runner(settings)).serve(
        name=schedule.deployment, cron=cron,
        parameters={"source_name": name}, tags=["chickgraph"],
        description="Scheduled ChickGraph ingestion (sync of a source into Neo4j)",
        limit=1,
        # runs import the flow from the installed package, not from a file under the cwd
        entrypoint_type=EntrypointType.MODULE_PATH,
    )


def _checked_cron(expression: str, timezone: str) -> str:
    """The schedule as Prefect will read it (its CronSchedule), checked before serving: a bad
    one failed deep in Prefect's deployment code, a 190-line traceback."""
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:
        CronSchedule(cron=expression, timezone=timezone)
    except ValidationError as exc:
        reason = exc.errors()[0]["msg"]
        raise typer.BadParameter(f"{expression!r} ({timezone}): {reason}",
                                 param_hint="--cron or schedule.cron") from None
    return expression
