"""`chickgraph serve`: the flow served as a Prefect deployment with the configured cron
schedule, against a managed local Prefect server; one run triggered, its IngestRun seen."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from pipeline.load import db
from tests.conftest import FIXTURES, REPO, free_port
from tests.integration.test_cli import cli

pytestmark = pytest.mark.integration

DEPLOYMENT = "chickgraph-ingest/chickgraph-scheduled"


def test_serve_registers_schedule_and_runs(empty_graph: Any, settings: Any, tmp_path: Path
                                           ) -> None:
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    pages = tmp_path / "pages"
    shutil.copytree(FIXTURES / "sync", pages)
    port = free_port()
    env = {"CHICKGRAPH_PREFECT_PORT": str(port),
           "CHICKGRAPH_PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_HOME": str(tmp_path / "prefect"),
           "CORPUS": str(pages), "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    started = cli("prefect", "start", env=env)
    assert started.returncode == 0, started.stderr
    url = f"http://127.0.0.1:{port}/api"
    status = cli("prefect", "status", env=env)
    assert url in status.stdout
    # a user's shell: none of the PREFECT_* variables this test process has set for itself
    # (configure_prefect); `serve` must find the managed server on its own (it once imported
    # Prefect first and served on a temporary API, which cannot schedule)
    shell = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    serve = subprocess.Popen([sys.executable, "-m", "pipeline", "serve"], cwd=REPO,
                             env={**shell, **env}, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
    try:
        with temporary_settings(updates={PREFECT_API_URL: url}):
            deployment = None
            deadline = time.monotonic() + 120
            while deployment is None and time.monotonic() < deadline:
                assert serve.poll() is None, serve.stdout.read().decode() if serve.stdout else ""
                try:
                    with get_client(sync_client=True) as client:
                        deployment = client.read_deployment_by_name(DEPLOYMENT)
                except Exception:
                    time.sleep(1)
            assert deployment is not None, "deployment was never registered"
            crons = [s.schedule.cron for s in deployment.schedules]
            assert crons == [settings.schedule.cron]
            assert deployment.parameters == {"source_name": "default"}
            # imported from the installed package by runs, whatever their working folder
            assert deployment.entrypoint == "pipeline.flow.flows.ingest_flow"
            flow_run = run_deployment(DEPLOYMENT, timeout=240)
            state = flow_run.state
            assert state is not None and state.is_completed(), state and state.message
    finally:
        os.killpg(serve.pid, signal.SIGINT)  # what Ctrl-C sends: serve shuts down cleanly
        try:
            serve.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait(timeout=30)
        cli("prefect", "stop", env=env)
    output = serve.stdout.read().decode() if serve.stdout else ""
    assert "ephemeral server" not in output and "temporary server" not in output, output[-3000:]
    runs = db.run_read(empty_graph, settings,
                       "MATCH (r:IngestRun) RETURN r.source AS source, r.status AS status, "
                       "r.pages_loaded AS loaded")
    assert runs == [{"source": str(pages), "status": "completed", "loaded": 3}]
    assert not cli("prefect", "status", env=env).stdout.startswith("api")
