"""A managed local Prefect server, started like Neo4j, so commands skip the ephemeral API.

Prefect's temporary API costs about 4 s at every command start here (14 s the very first
time), partly hidden behind the command's own start (pipeline/flow/ephemeral_api.py); with
this server running, `configure_prefect` points PREFECT_API_URL at it and a flow starts in
about 1 s. It is also what `chickgraph serve` and `prefect.yaml` talk to.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from pipeline.errors import ChickGraphError
from pipeline.servers.processes import ManagedProcess
from pipeline.settings import Settings


class PrefectServerError(ChickGraphError):
    """The local Prefect server could not be started."""


def _process(settings: Settings) -> ManagedProcess:
    return ManagedProcess(settings.prefect.home / "server.pid",
                          f"--port {settings.prefect.server_port}".replace(" ", "\0"))


def api_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.prefect.server_port}/api"


def _healthy(settings: Settings) -> bool:
    try:
        with urllib.request.urlopen(api_url(settings) + "/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def running_url(settings: Settings) -> str | None:
    """The API URL when our managed server is running, else None."""
    return api_url(settings) if _process(settings).pid() is not None else None


def start(settings: Settings, echo: Callable[[str], None] = print) -> str:
    """Start `prefect server start` on 127.0.0.1 (idempotent); wait for /api/health."""
    process = _process(settings)
    if process.pid() is not None and _healthy(settings):
        return api_url(settings)
    home = settings.prefect.home
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env |= {"PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false"}
    prefect = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect), "server", "start", "--host", "127.0.0.1",
           "--port", str(settings.prefect.server_port)]
    log = home / "server.log"
    proc = process.spawn(cmd, log, cwd=home, env=env)
    echo(f"Starting Prefect server on {api_url(settings)} (pid {proc.pid}) ...")
    deadline = time.monotonic() + settings.prefect.ephemeral_startup_timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-15:])
            raise PrefectServerError(f"Prefect server exited with {proc.returncode}:\n{tail}")
        if _healthy(settings):
            return api_url(settings)
        time.sleep(0.5)
    process.stop()
    raise PrefectServerError(f"Prefect server did not answer within "
                             f"{settings.prefect.ephemeral_startup_timeout_s:.0f} s; see {log}")


def stop(settings: Settings) -> bool:
    return _process(settings).stop()
