"""Run the ingest flow for a command: Prefect configured first, then the flow called with
the task runner of the settings and a progress callback.

Prefect reads its environment (home, API URL, logging) when `prefect` is first imported,
so `pipeline.flow.flows` (which imports it) is imported here only after `configure_prefect`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from neo4j.exceptions import ServiceUnavailable, SessionExpired

from pipeline.flow import ephemeral_api
from pipeline.flow.prefect_env import configure_prefect
from pipeline.ingest.summary import IngestSummary
from pipeline.load import db
from pipeline.settings import Settings

ProgressCallback = Callable[[str, int, int], None]


def run_ingest_flow(
    settings: Settings, source: str | None = None, source_name: str | None = None,
    strict: bool = False, lock_wait_s: float = 0, progress: ProgressCallback | None = None,
) -> IngestSummary:
    """`ingest_flow` on `settings`' task runner (threads or Dask); `progress(stage, done,
    total)` after each chunk. A Neo4j server that went away for good (the driver's and the
    tasks' retries spent) becomes `Neo4jUnavailable`, one line, like a server never reached.
    """
    configure_prefect(settings)
    from pipeline.flow.flows import ingest_flow, task_runner

    configured = ingest_flow.with_options(task_runner=task_runner(settings))
    try:
        with ephemeral_api.in_use(settings.prefect.ephemeral_startup_timeout_s):
            return configured(source=source, source_name=source_name, strict=strict,
                              lock_wait_s=lock_wait_s, progress=progress)
    except (ServiceUnavailable, SessionExpired) as exc:
        raise db.unavailable(settings, exc) from exc


@contextmanager
def console_quiet(settings: Settings) -> Iterator[None]:
    """Prefect logs a failed task or flow run with its traceback on the console, and the
    driver logs each retry; a command reports the failure itself, in one line
    (pipeline/cli/main.py), and a bug still ends in Python's traceback. So while the
    block runs, Prefect's console handlers show only CRITICAL records; its API handler
    still gets everything (a Prefect server's UI shows each task's traceback)."""
    configure_prefect(settings)
    import prefect.main  # noqa: F401  configures Prefect's logging: its handlers exist from here
    from prefect.logging.handlers import PrefectConsoleHandler

    loggers = [logging.getLogger(), *(logger for logger in
                                      logging.Logger.manager.loggerDict.values()
                                      if isinstance(logger, logging.Logger))]
    handlers = {h for logger in loggers for h in logger.handlers
                if isinstance(h, PrefectConsoleHandler)}
    levels = {h: h.level for h in handlers}
    for handler in handlers:
        handler.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for handler, level in levels.items():
            handler.setLevel(level)
