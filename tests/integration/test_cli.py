"""The `chickgraph` command line against a real server: exactly what a user types."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.servers import neo4j_server
from tests.conftest import REPO, free_port

pytestmark = pytest.mark.integration


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout, cwd=REPO, check=False,
    )


def test_cypher_json(driver: Any) -> None:
    result = cli("cypher", "RETURN 1 AS x", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [{"x": 1}]
    assert result.stdout.strip() == '[{"x": 1}]'


def test_cypher_params_and_formats(driver: Any) -> None:
    result = cli("cypher", "RETURN $n + 1 AS n, $s AS s, $l AS l", "-p", "n=41", "-p", "s=HH10",
                 "-p", "l=[1,2]", "--format", "json")
    assert json.loads(result.stdout) == [{"n": 42, "s": "HH10", "l": [1, 2]}]
    csv_out = cli("cypher", "RETURN 'a,b' AS x, 2 AS y", "--format", "csv")
    assert csv_out.stdout.splitlines() == ["x,y", '"a,b",2']
    table = cli("cypher", "RETURN 'hello' AS greeting")
    assert "greeting" in table.stdout and "hello" in table.stdout
    bad = cli("cypher", "RETURN 1", "--param", "novalue")
    assert bad.returncode != 0 and "name=value" in bad.stderr


def test_write_refused_without_write_flag(driver: Any) -> None:
    refused = cli("cypher", "CREATE (n:CliProbe {v: 1}) RETURN n.v AS v")
    assert refused.returncode == 1
    assert "--write" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
    check = cli("cypher", "MATCH (n:CliProbe) RETURN count(n) AS n", "--format", "json")
    assert json.loads(check.stdout) == [{"n": 0}]
    written = cli("cypher", "CREATE (n:CliProbe {v: 1}) RETURN n.v AS v", "--write",
                  "--format", "json")
    assert json.loads(written.stdout) == [{"v": 1}]
    cli("cypher", "MATCH (n:CliProbe) DELETE n", "--write")


# needs more than the whole transaction memory pool (70% of the heap by default: 2.8 GiB on
# the project's server) before it can answer: Neo4j stops it with MemoryPoolOutOfMemoryError.
# Strings of 1 KB fill the pool in ~1 s; collecting the integers themselves took ~10 s a query
TOO_BIG = ("UNWIND range(1, 1000000000) AS x WITH collect(toString(x) + '" + "0123456789" * 100
           + "') AS xs RETURN size(xs) AS n")


def test_a_query_out_of_transaction_memory_fails_at_once(driver: Any, settings: Any) -> None:
    """Neo4j calls a full memory pool transient: the driver retried such a query for ~40 s
    (5 attempts) before the user saw the error. It is reported after the first attempt."""
    from pipeline.errors import QueryOutOfMemory
    from pipeline.load import db

    with pytest.raises(QueryOutOfMemory, match=r"dbms\.memory\.transaction\.total\.max"):
        db.run_read(driver, settings, TOO_BIG, memory_final=True)
    for flags in ((), ("--write",)):
        result = cli("cypher", TOO_BIG, *flags)
        assert result.returncode == 1, result.stdout
        lines = result.stderr.strip().splitlines()
        assert lines == [lines[0]], result.stderr  # one line: no "will be retried" warnings
        assert lines[0].startswith(
            "error: the query ran out of the server's transaction memory (The allocation of")
        assert "smaller limit" in lines[0]
    assert db.run_read(driver, settings, "RETURN 1 AS x") == [{"x": 1}]  # still answering


def test_status_json(driver: Any) -> None:
    result = cli("neo4j", "status", "--json")
    info = json.loads(result.stdout)
    assert info["status"] == "running" and info["version"].startswith("Neo4j/5.26")


def test_config_show_masks_the_password() -> None:
    result = cli("config", "show", env={"NEO4J_PASSWORD": "s3cret-do-not-print"})
    assert result.returncode == 0
    assert "s3cret-do-not-print" not in result.stdout + result.stderr
    assert "********" in result.stdout


def _java_processes_for(home: Path) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if "CommunityEntryPoint" in cmdline and str(home) in cmdline:
                pids.append(int(proc.name))
    return pids


@pytest.fixture
def private_server_env(tmp_path: Path) -> dict[str, str]:
    """A second local server in its own home and port, so start/stop can be tested."""
    return {"CHICKGRAPH_NEO4J_HOME": str(tmp_path / "neo4j"),
            "CHICKGRAPH_BOLT_PORT": str(free_port())}


def test_start_twice_then_stop_leaves_no_jvm(private_server_env: dict[str, str]) -> None:
    home = Path(private_server_env["CHICKGRAPH_NEO4J_HOME"])
    first = cli("neo4j", "start", env=private_server_env)
    try:
        assert first.returncode == 0, first.stderr
        second = cli("neo4j", "start", env=private_server_env)
        assert second.returncode == 0, second.stderr
        assert "running" in second.stderr
        assert len(_java_processes_for(home)) == 1
        assert cli("neo4j", "status", env=private_server_env).stdout.startswith("running")
        # a wrong password against a running server: one clear line, exit 1
        wrong = cli("cypher", "RETURN 1", env={**private_server_env, "NEO4J_PASSWORD": "wrong-pw"})
        assert wrong.returncode == 1
        assert "rejected" in wrong.stderr and len(wrong.stderr.strip().splitlines()) == 1
        wrong_start = cli("neo4j", "start",
                          env={**private_server_env, "NEO4J_PASSWORD": "wrong-pw"})
        assert wrong_start.returncode == 1 and "rejected" in wrong_start.stderr
        # status: the server runs, the login is refused (it said "starting" before)
        wrong_status = cli("neo4j", "status",
                           env={**private_server_env, "NEO4J_PASSWORD": "wrong-pw"})
        assert wrong_status.returncode == 0, wrong_status.stderr
        assert wrong_status.stdout.startswith("running ")
        refused = wrong_status.stderr
        assert refused.startswith("login refused: ") and "rejected" in refused, refused
        # three wrong logins: Neo4j refuses any login for a few seconds; still one line, with
        # the hint (it was "Neo4j refused the query: ...AuthenticationRateLimit")
        limited = cli("cypher", "RETURN 1",
                      env={**private_server_env, "NEO4J_PASSWORD": "wrong-pw"})
        assert limited.returncode == 1 and len(limited.stderr.strip().splitlines()) == 1
        assert "NEO4J_PASSWORD" in limited.stderr, limited.stderr
        password = (home / "password").read_text().strip()
        assert oct((home / "password").stat().st_mode & 0o777) == "0o600"
        conf = (home / "conf" / "neo4j.conf").read_text()
        assert "server.bolt.listen_address=127.0.0.1:" in conf
        assert "dbms.security.auth_enabled=true" in conf
        assert password not in conf
    finally:
        stop = cli("neo4j", "stop", env=private_server_env)
    assert stop.returncode == 0, stop.stderr
    assert _java_processes_for(home) == []
    assert cli("neo4j", "status", env=private_server_env).stdout.startswith("stopped")
    assert "not running" in cli("neo4j", "stop", env=private_server_env).stderr


def test_the_server_reaches_its_files_natively(settings: Any, driver: Any) -> None:
    """Since the test server's last start, its debug.log shows the module options among the
    JVM's arguments and no failed native file access. Without them every transaction-log file
    it opened or rotated logged "Incorrect file descriptor" (4,463 such lines on the bench
    server in one day), and preallocation and the kernel's cache advice were skipped."""
    if settings.neo4j.external:
        pytest.skip("NEO4J_URI: a server this project did not start")
    logs = neo4j_server.ServerLayout.from_settings(settings).logs
    files = sorted(logs.glob("debug.log*"), key=lambda path: path.stat().st_mtime)
    lines = [line for path in files
             for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    starts = [n for n, line in enumerate(lines) if "VM Arguments:" in line]
    assert starts, f"no 'VM Arguments' line in {[str(path) for path in files]}"
    since_start = lines[starts[-1]:]
    for option in neo4j_server.MODULE_OPTIONS:
        assert option in since_start[0], option
    failures = [line for line in since_start if "ErrorCode=-1" in line]
    assert failures == [], failures[:3]


def test_taken_port_is_a_clear_error(private_server_env: dict[str, str]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        result = cli("neo4j", "start", env={**private_server_env,
                                            "CHICKGRAPH_BOLT_PORT": str(port)})
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "taken" in lines[0]


def test_unreachable_external_server_fails_fast(tmp_path: Path) -> None:
    """Also: the temporary Prefect API the command started first (no PREFECT_API_URL here)
    neither delays the error nor outlives the command."""
    import psutil

    env = {"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "NEO4J_PASSWORD": "whatever1"}
    began = time.time()
    started = time.monotonic()
    result = cli("ingest", str(tmp_path), env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    assert elapsed < 10, elapsed
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "not reachable" in lines[0] and "Traceback" not in result.stderr

    def early_apis() -> list[psutil.Process]:
        found = []
        for proc in psutil.process_iter(["cmdline", "create_time", "status"]):
            cmdline = " ".join(proc.info["cmdline"] or [])
            if ("pipeline.flow.ephemeral_app" in cmdline and proc.info["create_time"] >= began - 1
                    and proc.info["status"] != psutil.STATUS_ZOMBIE):
                found.append(proc)
        return found

    deadline = time.monotonic() + 30  # one still in its start-up finishes it, then exits
    while early_apis() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not early_apis(), "the command's temporary Prefect API outlived it"


def test_external_uri_never_starts_a_local_server(tmp_path: Path) -> None:
    env = {"NEO4J_URI": "bolt://127.0.0.1:1", "NEO4J_PASSWORD": "whatever1",
           "CHICKGRAPH_NEO4J_HOME": str(tmp_path / "never")}
    result = cli("neo4j", "start", env=env)
    assert result.returncode == 1 and "NEO4J_URI is set" in result.stderr
    assert not (tmp_path / "never").exists()


def test_missing_source_folder(driver: Any, tmp_path: Path) -> None:
    result = cli("ingest", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_help_explains_commands() -> None:
    result = cli("--help")
    assert result.returncode == 0
    for command in ("ingest", "export", "cypher", "neo4j", "config", "schema"):
        assert command in result.stdout
