"""Prefect's ephemeral API, started as a command's first step instead of at its first flow.

Without a Prefect server (PREFECT_API_URL, or `chickgraph prefect start`), Prefect starts a
temporary API server in a subprocess when the first flow of a process runs. The command has
imported and checked everything by then, and it waits: its own process imports Prefect's
server modules (1.7 s here), then the subprocess imports them again and opens its database
(~4 s). `chickgraph ingest` starts that same server (Prefect's app factory, as ephemeral: no
UI, the ephemeral set of services) before anything else, on a socket it has bound itself.
The server's start then overlaps the command's imports and its Neo4j check, and the main
process never imports the server modules. Once Prefect is imported, `in_use` asks Prefect's
own settings whether it would start an ephemeral API (no API URL from the environment, a
profile or prefect.toml; ephemeral mode on): then the flow runs against this one, else it is
stopped and Prefect's choice stands. It is stopped when the command ends, like Prefect's own,
and with the command if that is killed (Linux).

Only in a process that has not imported Prefect yet (a command's): one that has (a test
under `prefect_test_harness`, a notebook) keeps the API it has.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.servers.prefect_server import PrefectServerError, log_tail, wait_until_up


class EphemeralApi:
    """A running temporary API server: `wait` before the first flow, `stop` at the end."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self.process = process
        self.url = url
        self.log = log
        self.abandoned = False  # stopped without waiting: left to exit on its own

    def wait(self, timeout_s: float) -> None:
        """Until the API answers its health check; an error with its log's tail otherwise."""
        if not wait_until_up(self.url, self.process, self.log, timeout_s, 0.05,
                             "the temporary Prefect API"):
            self.stop()
            raise PrefectServerError(
                f"the temporary Prefect API did not answer within {timeout_s:.0f} s "
                f"(prefect.ephemeral_startup_timeout_s); log:\n{log_tail(self.log)}")

    def stop(self, wait: bool = True) -> None:
        """SIGTERM; with `wait`, until it has exited (SIGKILL after 10 s). Without: for a
        server that was never used: one still in its start-up (uvicorn holds SIGTERM until
        that is done: up to ~10 s on a new database) exits on its own, or by its
        parent-death signal once the command ends, and the command need not wait for it."""
        if self.abandoned:
            return
        if self.process.poll() is None:
            self.process.terminate()
            if not wait:
                self.abandoned = True
                with contextlib.suppress(OSError):
                    self.log.unlink()
                return
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.returncode in (0, -signal.SIGTERM, -signal.SIGKILL):
            with contextlib.suppress(OSError):
                self.log.unlink()  # kept after a failure: the error message names it


# Prefect's settings for this API where the environment sets none. Its start registers every
# block type Prefect and its installed collections define, memoized by a hash of them all, and
# computing that hash imports every collection (prefect-dask: dask and distributed): 0.16-0.30 s
# of its start-up here (3 alternating pairs of cold loads), and the command waits for it. The
# flows of a command use no blocks, and a block saved through this API registers its own type
# (`Block.save`); the managed server (`chickgraph prefect start`) still registers them all.
SERVER_DEFAULTS = {"PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
                   "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false"}

_STARTED: list[EphemeralApi] = []
# where this `pipeline` package lives (a checkout or site-packages): uvicorn imports the app
# from there, never from a `pipeline` folder that happens to be in the command's directory
_PACKAGE_ROOT = Path(__file__).resolve().parents[2]


def start_early(home: Path) -> EphemeralApi | None:
    """Start the API now, in case a flow of this process needs Prefect's ephemeral one (see
    `in_use`); None when PREFECT_API_URL is set, Prefect is imported already, or the system
    cannot hand a socket to a child (not POSIX). Idempotent within a process."""
    if _STARTED:
        return _STARTED[0]
    if "PREFECT_API_URL" in os.environ or "prefect" in sys.modules or os.name != "posix":
        return None
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))  # the port is ours from here: no race with other servers
    listener.listen(128)  # requests wait in the backlog until the app is up
    port = listener.getsockname()[1]
    handle, name = tempfile.mkstemp(prefix="ephemeral-api-", suffix=".log", dir=home)
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--app-dir", str(_PACKAGE_ROOT), "--factory",
             "pipeline.flow.ephemeral_app:create_app", "--fd", str(listener.fileno()),
             "--log-level", "error", "--lifespan", "on"],
            pass_fds=(listener.fileno(),), stdin=subprocess.DEVNULL, stdout=handle,
            stderr=subprocess.STDOUT,
            env={**SERVER_DEFAULTS, **os.environ, "PREFECT_UI_ENABLED": "false"},
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )
    finally:
        os.close(handle)
        listener.close()  # the server holds its own copy
    api = EphemeralApi(process, f"http://127.0.0.1:{port}/api", Path(name))
    _STARTED.append(api)
    atexit.register(api.stop)  # registered before Prefect's own: runs after they flush
    return api


@contextlib.contextmanager
def in_use(timeout_s: float) -> Iterator[str | None]:
    """Around a flow: its API is the one `start_early` started (yields its URL) when Prefect
    would otherwise start an ephemeral API of its own; else that one is stopped, and Prefect
    uses what it is configured with (yields None)."""
    if not _STARTED:
        yield None
        return
    api = _STARTED[0]
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    current = get_current_settings()
    if current.api.url or not current.server.ephemeral.enabled:
        api.stop(wait=False)  # Prefect has an API of its own (profile, prefect.toml), or
        # ephemeral mode is off
        yield None
        return
    import_run_modules()  # while the API is still starting: the command has nothing else to do
    api.wait(timeout_s)
    updates: dict[Any, Any] = {PREFECT_API_URL: api.url}
    if "heartbeat_frequency" not in current.flows.model_fields_set:
        # No flow-run heartbeats unless the user asked for them: they tell a lasting server
        # that a run has not crashed, and this API ends with the command, so none could ever
        # be missed. Each run's heartbeat thread sleeps in 1 s steps and is joined when the
        # run ends: up to 1 s (0.9 s measured) of every command's wall time.
        updates["flows.heartbeat_frequency"] = None
    with temporary_settings(updates=updates):
        yield api.url


# What Prefect imports only once a flow is called (`Flow.__call__`, `serialize_parameters`):
# ~0.3 s here (fastapi's OpenAPI models, graphviz), which would otherwise come after the API
# is up, on the command's critical path.
RUN_MODULES = ("prefect.flow_engine", "prefect.utilities.visualization", "fastapi.encoders")


def import_run_modules() -> None:
    """Import `RUN_MODULES` now; one that a Prefect release no longer has is skipped (this
    only moves work earlier, Prefect imports what it needs itself)."""
    for name in RUN_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the command's process dies (even by SIGKILL,
    where atexit never runs), so no API server outlives the command it was started for."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
