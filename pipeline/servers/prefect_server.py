"""A managed local Prefect server, started like Neo4j, so commands skip the ephemeral API.

Prefect's temporary API costs about 4 s at every command start here (14 s the very first
time), partly hidden behind the command's own start (pipeline/flow/ephemeral_api.py); with
this server running, `configure_prefect` points PREFECT_API_URL at it and a flow starts in
about 1 s. It is also what `chickgraph serve` and `prefect.yaml` talk to.
"""

from __future__ import annotations

import os
import subprocess
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


def answers(url: str) -> bool:
    """True when the Prefect API at `url` (.../api) answers its health check."""
    try:
        with urllib.request.urlopen(url + "/health", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path, timeout_s: float,
                  poll_s: float, name: str) -> bool:
    """Poll the API at `url` until it answers (True) or `timeout_s` passes (False); a
    PrefectServerError with the tail of its log when `proc` exits first."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise PrefectServerError(f"{name} exited with {proc.returncode}:\n{log_tail(log)}")
        if answers(url):
            return True
        time.sleep(poll_s)
    return False


def log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return f"(no log at {log})"


def running_url(settings: Settings) -> str | None:
    """The API URL when our managed server is running, else None."""
    return api_url(settings) if _process(settings).pid() is not None else None


def start(settings: Settings, echo: Callable[[str], None] = print) -> str:
    """Start `prefect server start` on 127.0.0.1 (idempotent); wait for /api/health."""
    process = _process(settings)
    if process.pid() is not None and answers(api_url(settings)):
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
    if wait_until_up(api_url(settings), proc, log, settings.prefect.ephemeral_startup_timeout_s,
                     0.5, "Prefect server"):
        return api_url(settings)
    process.stop()
    raise PrefectServerError(f"Prefect server did not answer within "
                             f"{settings.prefect.ephemeral_startup_timeout_s:.0f} s; see {log}")


def stop(settings: Settings) -> bool:
    return _process(settings).stop()
