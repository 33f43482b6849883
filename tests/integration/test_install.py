"""The package as a data team gets it: the wheel, installed into a fresh virtualenv outside the
checkout, run from a temporary folder with CHICKGRAPH_HOME set (its own Neo4j home, jars,
password and Prefect home there), and deployed from prefect.yaml to a process work pool whose
worker runs outside the checkout.

One virtualenv serves every test of the module. Its servers use ports beside the session's
(CHICKGRAPH_BOLT_PORT + 4 for Bolt, + 5 for Prefect), so parallel checkouts given their own
port ranges never collide.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import venv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO
from tests.integration.test_security import spare_port

pytestmark = pytest.mark.integration

SYNC = FIXTURES / "sync"
POOL = "chickgraph-pool"
DEPLOYMENT = "chickgraph-ingest/chickgraph-scheduled"


@dataclass
class Installed:
    """A virtualenv holding the wheel, and the environment its commands run in."""

    venv: Path
    work: Path  # the temporary folder commands run from
    home: Path  # CHICKGRAPH_HOME
    env: dict[str, str]

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    def run(self, *args: str, timeout: float = 600, env: dict[str, str] | None = None
            ) -> subprocess.CompletedProcess[str]:
        result = subprocess.run([self.bin(args[0]), *args[1:]], cwd=self.work,
                                env={**self.env, **(env or {})}, capture_output=True,
                                text=True, timeout=timeout, check=False)
        return result

    def ok(self, *args: str, timeout: float = 600, env: dict[str, str] | None = None) -> str:
        result = self.run(*args, timeout=timeout, env=env)
        assert result.returncode == 0, (
            f"{' '.join(args)} exited {result.returncode}\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}")
        return result.stdout


def _clean_environment() -> dict[str, str]:
    """The caller's environment without the checkout's settings, venv or Python path."""
    drop = ("CHICKGRAPH_", "PREFECT_", "NEO4J_", "CORPUS")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(drop) and k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep)
                                  if not p.startswith(str(REPO)))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    root = tmp_path_factory.mktemp("installed")
    assert not root.resolve().is_relative_to(REPO.resolve())
    dist, work, home = root / "dist", root / "work", root / "home"
    work.mkdir()
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(dist), str(REPO)],
        capture_output=True, text=True, timeout=900, check=False)
    assert build.returncode == 0, build.stderr[-3000:]
    # setup.py maps every folder of cypher/ and config/: setuptools warned once per folder it
    # was not told about ("would be ignored"), ten warnings at every install
    assert "is absent from the `packages` configuration" not in build.stderr, build.stderr
    (wheel,) = dist.glob("chickgraph-*.whl")
    venv.create(root / "venv", with_pip=True)
    pip = subprocess.run([str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "-q",
                          str(wheel)], capture_output=True, text=True, timeout=1800,
                         check=False)
    assert pip.returncode == 0, pip.stderr[-3000:]
    env = _clean_environment() | {
        "CHICKGRAPH_HOME": str(home),
        "CHICKGRAPH_BOLT_PORT": str(spare_port(4)),
        "CHICKGRAPH_PREFECT_PORT": str(spare_port(5)),
    }
    box = Installed(root / "venv", work, home, env)
    try:
        yield box
    finally:
        box.run("chickgraph", "neo4j", "stop")
        box.run("chickgraph", "prefect", "stop")


def test_the_installed_package_is_not_the_checkout(installed: Installed) -> None:
    where = installed.ok("python", "-c", "import pipeline, pipeline.resources as r; "
                         "print(pipeline.__file__); print(r.cypher_dir())")
    package, cypher = where.splitlines()
    assert Path(package).is_relative_to(installed.venv), package
    assert Path(cypher).is_relative_to(installed.venv) and (Path(cypher) / "schema.cypher"
                                                              ).is_file()
    shown = json.loads(installed.ok("chickgraph", "config", "show", "--json"))
    assert shown["neo4j"]["local"]["home"] == str(installed.home / "neo4j")
    assert shown["prefect"]["home"] == str(installed.home / "prefect")
    assert shown["config_file"].startswith(str(installed.venv))
    # the enrichment table is the one the package ships, not "config/enrichment.yaml" looked
    # for in the state dir (where `enrich` failed: "cannot read enrichment table")
    assert shown["enrich"]["table"] == str(Path(cypher).parent / "config" / "enrichment.yaml")
    listed = installed.ok("chickgraph", "enrich", "--list")
    assert "org.Hs.eg.db" in listed and "human" in listed, listed


def test_install_start_ingest_query_export(installed: Installed) -> None:
    """Left running for the next test, which stops it (a start and a stop fewer, ~15 s)."""
    started = installed.ok("chickgraph", "neo4j", "start", timeout=900)
    assert (installed.home / "neo4j" / "password").is_file()
    assert (installed.home / "neo4j-dist").is_dir(), started
    summary = json.loads(installed.ok("chickgraph", "ingest", str(SYNC), "--json"))
    assert (summary["pages_loaded"], summary["pages_failed"]) == (3, 0), summary
    rows = json.loads(installed.ok("chickgraph", "query", "orthologs", "-p", "symbol=GENEA",
                                   "--format", "json"))
    assert {row["symbol"] for row in rows} == {"GENEA"}, rows
    assert {row["gene_key"] for row in rows} >= {"NCBITaxon:9606/NCBIGene:5001",
                                                 "NCBITaxon:10090/NCBIGene:6001"}, rows
    page = json.loads(installed.ok("chickgraph", "export", "GENEA", "--format", "json"))
    assert page["symbol"] == "GENEA" and page["gene_id"] == "1001"


def test_process_work_pool_deployment_from_prefect_yaml(installed: Installed) -> None:
    """`prefect deploy` of prefect.yaml, a process worker in a folder outside the checkout
    importing the installed flow, one triggered run completed and recorded in the graph."""
    installed.ok("chickgraph", "neo4j", "start", timeout=900)
    installed.ok("chickgraph", "prefect", "start", timeout=600)
    # the managed server, for Prefect's own commands (chickgraph finds it by itself)
    api = {"PREFECT_API_URL": f"http://127.0.0.1:{installed.env['CHICKGRAPH_PREFECT_PORT']}/api"}
    installed.env |= api
    installed.ok("prefect", "work-pool", "create", POOL, "--type", "process", "--overwrite")
    prefect_yaml = installed.work / "prefect.yaml"
    shutil.copy(REPO / "prefect.yaml", prefect_yaml)
    installed.ok("prefect", "--no-prompt", "deploy", "--all", "--prefect-file", str(prefect_yaml))
    pages = installed.work / "pages"
    shutil.copytree(SYNC, pages, dirs_exist_ok=True)
    worker_dir = installed.work / "worker"
    worker_dir.mkdir(exist_ok=True)
    log = (installed.work / "worker.log").open("wb")
    worker = subprocess.Popen(
        [installed.bin("prefect"), "worker", "start", "--pool", POOL, "--type", "process",
         "--limit", "1"], cwd=worker_dir, env={**installed.env, "CORPUS": str(pages)},
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        run = installed.run("prefect", "deployment", "run", DEPLOYMENT, "--watch",
                            "--watch-timeout", "600", timeout=700)
        assert run.returncode == 0, (run.stdout[-3000:], run.stderr[-3000:],
                                     (installed.work / "worker.log").read_text()[-3000:])
        assert "Completed" in run.stdout + run.stderr, run.stdout[-2000:]
    finally:
        os.killpg(worker.pid, signal.SIGINT)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=30)
        log.close()
    runs = json.loads(installed.ok(
        "chickgraph", "cypher", "MATCH (r:IngestRun {source: $s}) RETURN r.status AS status, "
        "r.pages_seen AS seen, r.pages_failed AS failed", "-p", f"s={pages}",
        "--format", "json"))
    assert runs == [{"status": "completed", "seen": 3, "failed": 0}], runs
    stopped = installed.run("chickgraph", "neo4j", "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert installed.run("chickgraph", "neo4j", "status").stdout.startswith("stopped")
