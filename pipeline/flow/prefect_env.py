"""Prefect's environment, set before `prefect` is first imported.

Prefect reads its settings at import time, so PREFECT_HOME (git-ignored, inside the repo)
and the ephemeral API's start-up timeout are set here, and only where the user has not set
them. With PREFECT_API_URL set, flows report to that server instead of the ephemeral one;
when the managed local server (`chickgraph prefect start`) runs, it is used automatically.
"""

from __future__ import annotations

import os

from pipeline.settings import Settings, get_settings


def configure_prefect(settings: Settings | None = None) -> None:
    settings = settings or get_settings()
    home = settings.prefect.home
    home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(home))
    timeout = str(int(settings.prefect.ephemeral_startup_timeout_s))
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", timeout)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_UI_ENABLED", "false")
    if "PREFECT_API_URL" not in os.environ:
        from pipeline.servers.prefect_server import running_url

        url = running_url(settings)
        if url is not None:
            os.environ["PREFECT_API_URL"] = url
