"""Shared set-up for benchmarks: their own Neo4j home/port, timing in fresh processes.

Benchmarks are run by hand (`make bench`), never by the test suite. Figures are reported as
ratios measured in one run, since these machines are noisy.

The benchmark server is never the one of `make run` or of the tests: by default it lives in
`.local/neo4j-bench` on port 17689 (Prefect: `.local/prefect-bench`, port 14202). Override
with CHICKGRAPH_BENCH_BOLT_PORT / CHICKGRAPH_BENCH_NEO4J_HOME / CHICKGRAPH_BENCH_PREFECT_HOME /
CHICKGRAPH_BENCH_PREFECT_PORT (or, as before, CHICKGRAPH_BOLT_PORT / CHICKGRAPH_NEO4J_HOME /
CHICKGRAPH_PREFECT_HOME / CHICKGRAPH_PREFECT_PORT). Benchmarks wipe their database, so a home
or port of `make run` or of the tests is refused, and NEO4J_URI is ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CURRENT = SHARED / "corpus" / "chickybase-2025-11-29" / "genes"
PREVIOUS = SHARED / "corpus" / "chickybase-2025-11-24" / "genes"
OUT = REPO / "bench" / "out"

_PROTECTED_PORTS = {"17687", "17688"}  # make run, tests
_PROTECTED_HOMES = {REPO / ".local" / "neo4j", REPO / ".local" / "neo4j-test"}


def _pick(bench_name: str, name: str, default: str) -> str:
    return os.environ.get(bench_name) or os.environ.get(name) or default


BENCH_ENV = {
    "CHICKGRAPH_BOLT_PORT": _pick("CHICKGRAPH_BENCH_BOLT_PORT", "CHICKGRAPH_BOLT_PORT", "17689"),
    "CHICKGRAPH_NEO4J_HOME": _pick("CHICKGRAPH_BENCH_NEO4J_HOME", "CHICKGRAPH_NEO4J_HOME",
                                   str(REPO / ".local" / "neo4j-bench")),
    "CHICKGRAPH_PREFECT_HOME": _pick("CHICKGRAPH_BENCH_PREFECT_HOME", "CHICKGRAPH_PREFECT_HOME",
                                     str(REPO / ".local" / "prefect-bench")),
    "CHICKGRAPH_PREFECT_PORT": _pick("CHICKGRAPH_BENCH_PREFECT_PORT", "CHICKGRAPH_PREFECT_PORT",
                                     "14202"),
}
BENCH_ENV["PREFECT_HOME"] = BENCH_ENV["CHICKGRAPH_PREFECT_HOME"]
# the bench's own record cache: emptied with the database by wipe(), so that "cold" means
# every page parsed; measurements of a warm cache say so
BENCH_ENV["CHICKGRAPH_RECORD_CACHE"] = str(REPO / ".local" / "records-bench")
# the bench's own enrichment state: `enrich --from` replaces the copy there with the scaled
# database of each step (bench/scale_annotations.py), never the user's `.local/enrich`
BENCH_ENV["CHICKGRAPH_ENRICH_DIR"] = str(REPO / ".local" / "enrich-bench")
_DROPPED = ("PREFECT_API_URL", "NEO4J_URI", "NEO4J_USERNAME", "NEO4J_PASSWORD", "NEO4J_DATABASE")


def check_isolated() -> None:
    """Refuse to wipe the database of `make run` or of the tests."""
    home = Path(BENCH_ENV["CHICKGRAPH_NEO4J_HOME"]).resolve()
    if BENCH_ENV["CHICKGRAPH_BOLT_PORT"] in _PROTECTED_PORTS or home in _PROTECTED_HOMES:
        raise SystemExit(
            f"benchmarks wipe their database: refusing port {BENCH_ENV['CHICKGRAPH_BOLT_PORT']} "
            f"/ home {home}; set CHICKGRAPH_BENCH_BOLT_PORT and CHICKGRAPH_BENCH_NEO4J_HOME")


def bench_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _DROPPED}
    return {**env, **BENCH_ENV, **extra}


def apply_env() -> None:
    """Make this process use the benchmark server (call before importing pipeline)."""
    check_isolated()
    os.environ.update(BENCH_ENV)
    for name in _DROPPED:
        os.environ.pop(name, None)


@dataclass
class Timed:
    seconds: float
    stdout: str
    stderr: str
    returncode: int
    peak_rss_mb: float = 0.0  # the process itself (max of samples, and VmHWM when read)
    peak_tree_rss_mb: float = 0.0  # it and its children, summed per sample
    samples: int = 0
    cpu: dict[str, float] = field(default_factory=dict)

    def json(self) -> dict:
        return json.loads(self.stdout)


class _RssPoller(threading.Thread):
    """Samples the RSS of a process and of its descendants every `interval` seconds."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.peak = self.peak_tree = 0
        self.samples = 0
        self.done = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            proc = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.done.is_set():
            try:
                own = proc.memory_info().rss
                # VmHWM: the kernel's own peak, which catches spikes between samples
                with contextlib.suppress(OSError, ValueError):
                    own = max(own, _vm_hwm(self.pid))
                tree = own
                for child in proc.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        tree += child.memory_info().rss
            except psutil.Error:
                break
            self.peak, self.peak_tree = max(self.peak, own), max(self.peak_tree, tree)
            self.samples += 1
            self.done.wait(self.interval)


def _vm_hwm(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise ValueError("no VmHWM")


def timed(cmd: list[str], env: dict[str, str] | None = None, check: bool = True) -> Timed:
    """Run `cmd` in a fresh process; wall time and peak RSS (own and with children)."""
    started = time.perf_counter()
    before = os.times()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env or bench_env(), cwd=REPO)
    poller = _RssPoller(proc.pid)
    poller.start()
    stdout, stderr = proc.communicate()
    elapsed = time.perf_counter() - started
    poller.done.set()
    poller.join()
    after = os.times()
    if check and proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{stderr[-3000:]}")
    cpu = {"user_s": round(after.children_user - before.children_user, 2),
           "system_s": round(after.children_system - before.children_system, 2)}
    return Timed(elapsed, stdout, stderr, proc.returncode, poller.peak / 2**20,
                 poller.peak_tree / 2**20, poller.samples, cpu)


def chickgraph(*args: str, env: dict[str, str] | None = None) -> Timed:
    return timed([sys.executable, "-m", "pipeline", *args], env=env)


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = f" ({line.split(':', 1)[1].strip()})"
                break
    except OSError:
        pass
    return (f"{platform.system()} {platform.machine()}{cpu}, {cpus} cores{mem}, "
            f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


WIPE = r"""
from pipeline.load import db
from pipeline.settings import get_settings
s = get_settings()
with db.connect(s) as driver, driver.session(database=s.neo4j.database) as session:
    # auto-commit (CALL IN TRANSACTIONS needs it); relationships first: a node with 100k+
    # relationships deleted with DETACH in one inner transaction exceeds transaction memory
    session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 50000 ROWS").consume()
    session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 50000 ROWS").consume()
"""


def wipe(records: bool = True) -> None:
    """Empty the benchmark database (the schema stays) and, unless `records` is False, the
    record cache, so that the next load parses every page."""
    timed([sys.executable, "-c", WIPE], env=bench_env())
    if records:
        from pipeline.ingest import record_cache  # reads no settings: safe before apply_env

        record_cache.clear(Path(BENCH_ENV["CHICKGRAPH_RECORD_CACHE"]))


def profile_named(driver: Any, settings: Any, name: str, given: dict[str, Any]
                  ) -> dict[str, Any] | None:
    """PROFILE of a named query with these parameters: its plan with rows and db hits (work
    that does not vary with the box's load), or None when the server gave no profile."""
    from pipeline.queries import named

    spec = named.get(name)
    with driver.session(database=settings.neo4j.database) as session:
        result = session.run("PROFILE " + spec.text, named.bind(spec, given))
        list(result)  # PROFILE needs the rows pulled, not discarded
        return result.consume().profile


def plan_steps(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A PROFILE plan's operators in pre-order, each as the server gave it."""
    yield plan
    for child in plan.get("children", []):
        yield from plan_steps(child)


def operator_name(step: dict[str, Any]) -> str:
    """An operator's type without its runtime suffix (`Expand(All)@neo4j` -> `Expand(All)`)."""
    return step["operatorType"].split("@")[0]


def operator_details(step: dict[str, Any]) -> str:
    """What an operator works on (`(a)<-[e:EXPRESSED_IN]-(g)`), empty when the plan omits it."""
    return step.get("args", {}).get("Details", "")


def plan_operators(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """A plan's operators in pre-order, each as (type without its runtime suffix, details)."""
    return [(operator_name(s), operator_details(s)) for s in plan_steps(plan)]


def db_hits(plan: dict[str, Any]) -> int:
    """A plan's db hits, every operator's summed."""
    return sum(int(step.get("dbHits", 0)) for step in plan_steps(plan))
