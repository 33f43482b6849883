"""The temporary Prefect API a command starts as its first step (pipeline/flow/ephemeral_api.py):
flows run against it, the command's process never imports Prefect's server, it gives way to
an API Prefect is configured with, and it never outlives the command. Each case runs in a
fresh interpreter, as a command does: Prefect must not be imported before the API starts."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from pipeline.flow import ephemeral_api
from pipeline.servers.prefect_server import PrefectServerError
from tests.conftest import REPO


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One PREFECT_HOME for the module: its database is created once (~10 s), not per test."""
    return tmp_path_factory.mktemp("prefect")


def _environ(home: Path, **env: str) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    return environ | {"PREFECT_HOME": str(home), **env}


def _run(script: str, tmp_path: Path, home: Path, **env: str) -> dict[str, Any]:
    """`script` in a fresh interpreter in tmp_path; its last line, JSON."""
    environ = _environ(home, **env)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=tmp_path, env=environ, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


_START = f"""
import json, os, sys
sys.path.insert(0, {str(REPO)!r})
from pathlib import Path
from pipeline.flow import ephemeral_api
from pipeline.servers.prefect_server import PrefectServerError
api = ephemeral_api.start_early(Path(os.environ["PREFECT_HOME"]))
"""


def _gone(pid: int, within_s: float = 15) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
            return True
        time.sleep(0.1)
    return False


def test_a_flow_runs_against_the_api_started_first(tmp_path: Path, home: Path) -> None:
    got = _run(_START + """
imported_first = "prefect" in sys.modules
from prefect import flow, get_run_logger
from prefect.client.orchestration import get_client

from prefect.settings import get_current_settings

@flow
def probe():
    get_run_logger().warning("probe ran")
    return 42, get_current_settings().flows.heartbeat_frequency

default = get_current_settings().flows.heartbeat_frequency
with ephemeral_api.in_use(60) as url:
    value, heartbeat = probe()
    from prefect.blocks.system import Secret
    Secret(value="probe").save("probe-secret", overwrite=True)
    secret = Secret.load("probe-secret").get()
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs()
        block_types = sorted(t.slug for t in client.read_block_types())
print(json.dumps({"url": url, "api": api.url, "value": value, "imported_first": imported_first,
                  "secret": secret, "block_types": block_types,
                  "heartbeat": heartbeat, "default": default,
                  "heartbeat_after": get_current_settings().flows.heartbeat_frequency,
                  "runs": [r.name for r in runs], "states": [r.state_type.value for r in runs],
                  "server_imported": "prefect.server.api.server" in sys.modules,
                  "pid": api.process.pid, "log": str(api.log)}))
""", tmp_path, home)
    assert got["url"] == got["api"] and got["url"].startswith("http://127.0.0.1:")
    assert got["value"] == 42 and got["states"] == ["COMPLETED"]  # recorded by that API
    # no block types registered at its start (SERVER_DEFAULTS), and a saved block registers
    # its own: blocks still work
    assert got["secret"] == "probe" and got["block_types"] == ["secret"]
    # no heartbeats to an API that ends with the command (joining their thread cost ~1 s);
    # Prefect's own setting again afterwards
    assert got["default"] and got["heartbeat"] is None
    assert got["heartbeat_after"] == got["default"]
    assert not got["imported_first"]  # the API was started before Prefect was imported ...
    assert not got["server_imported"]  # ... and the command never imports Prefect's server
    assert _gone(got["pid"])  # stopped at exit
    assert not Path(got["log"]).exists()  # a clean stop leaves no log behind


@pytest.mark.parametrize("configured", ["toml", "ephemeral off"])
def test_an_api_prefect_is_configured_with_wins(tmp_path: Path, home: Path,
                                               configured: str) -> None:
    """Prefect reads its API from profiles and prefect.toml too, which the command cannot see
    before importing it: the early API then gives way."""
    env = {}
    if configured == "toml":
        (tmp_path / "prefect.toml").write_text('[api]\nurl = "http://127.0.0.1:9/api"\n')
    else:
        env["PREFECT_SERVER_ALLOW_EPHEMERAL_MODE"] = "false"
    got = _run(_START + """
import prefect
from prefect.settings import get_current_settings
default = get_current_settings().flows.heartbeat_frequency
with ephemeral_api.in_use(60) as url:
    print(json.dumps({"url": url, "api_url": get_current_settings().api.url,
                      "pid": api.process.pid, "default": default,
                      "heartbeat": get_current_settings().flows.heartbeat_frequency}))
""", tmp_path, home, **env)
    assert got["url"] is None  # the flow would use Prefect's choice ...
    assert got["heartbeat"] == got["default"]  # ... heartbeats included
    assert got["api_url"] == ("http://127.0.0.1:9/api" if configured == "toml" else None)
    assert _gone(got["pid"], within_s=60)  # ... and the early API exits on its own


def test_the_api_dies_with_a_killed_command(home: Path) -> None:
    """atexit does not run under SIGKILL: the server is told to stop when its parent dies."""
    script = _START + """
print(json.dumps({"pid": api.process.pid}), flush=True)
os.kill(os.getpid(), 9)
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=_environ(home), timeout=60, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr[-2000:]
    pid = json.loads(done.stdout.strip().splitlines()[-1])["pid"]
    assert _gone(pid), "the API server outlived the command killed with SIGKILL"


def test_no_early_api_where_prefect_has_its_api_already(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ephemeral_api, "_STARTED", [])
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    assert ephemeral_api.start_early(tmp_path) is None
    monkeypatch.delenv("PREFECT_API_URL")
    monkeypatch.setitem(sys.modules, "prefect", sys.modules.get("prefect") or object())
    assert ephemeral_api.start_early(tmp_path) is None  # a test, a notebook: keeps its API
    with ephemeral_api.in_use(1) as url:  # nothing started: Prefect's choice
        assert url is None


def test_an_api_that_cannot_start_is_one_clear_error(tmp_path: Path) -> None:
    log = tmp_path / "api.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-c", "print('no database here'); exit(3)"],
                                   stdout=out, stderr=subprocess.STDOUT)
    api = ephemeral_api.EphemeralApi(process, "http://127.0.0.1:9/api", log)
    with pytest.raises(PrefectServerError, match="exited with 3") as caught:
        api.wait(30)
    assert "no database here" in str(caught.value)
    assert log.exists()  # kept: the error shows its tail
    stuck = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    api = ephemeral_api.EphemeralApi(stuck, "http://127.0.0.1:9/api", tmp_path / "none.log")
    with pytest.raises(PrefectServerError, match="did not answer within 1 s"):
        api.wait(1)
    assert stuck.poll() == -signal.SIGTERM  # stopped, not left running


def test_heartbeats_the_user_asked_for_stay(tmp_path: Path, home: Path) -> None:
    """The early API turns flow-run heartbeats off only where nobody set them."""
    got = _run(_START + """
import prefect
from prefect.settings import get_current_settings
with ephemeral_api.in_use(60) as url:
    print(json.dumps({"url": url, "pid": api.process.pid,
                      "heartbeat": get_current_settings().flows.heartbeat_frequency}))
""", tmp_path, home, PREFECT_FLOWS_HEARTBEAT_FREQUENCY="45")
    assert got["url"] and got["heartbeat"] == 45
    assert _gone(got["pid"])


def test_the_modules_imported_during_the_wait_are_prefect_s_own(monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """`in_use` imports what a flow call would import later (`RUN_MODULES`) while the API
    starts. Each must exist in the installed Prefect, or the head start is silently lost; a
    future release without one must still run (it is skipped)."""
    import importlib.util

    assert all(importlib.util.find_spec(name) is not None
               for name in ephemeral_api.RUN_MODULES)
    monkeypatch.delitem(sys.modules, "colorsys", raising=False)
    monkeypatch.setattr(ephemeral_api, "RUN_MODULES", ("no_such_module_of_prefect", "colorsys"))
    ephemeral_api.import_run_modules()  # no error for the missing one, the next one imported
    assert "colorsys" in sys.modules
