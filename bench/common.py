"""Shared set-up for benchmarks: their own Neo4j home/port, timing in fresh processes.

Benchmarks are run by hand (`make bench`), never by the test suite. Figures are reported as
ratios measured in one run, since these machines are noisy.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CURRENT = SHARED / "corpus" / "chickybase-2025-11-29" / "genes"
PREVIOUS = SHARED / "corpus" / "chickybase-2025-11-24" / "genes"
OUT = REPO / "bench" / "out"

BENCH_ENV = {
    "CHICKGRAPH_BOLT_PORT": os.environ.get("CHICKGRAPH_BOLT_PORT", "17689"),
    "CHICKGRAPH_NEO4J_HOME": os.environ.get("CHICKGRAPH_NEO4J_HOME",
                                            str(REPO / ".local" / "neo4j-bench")),
    "CHICKGRAPH_PREFECT_HOME": str(REPO / ".local" / "prefect-bench"),
    "PREFECT_HOME": str(REPO / ".local" / "prefect-bench"),
    "CHICKGRAPH_PREFECT_PORT": "14202",
}


def bench_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return {**env, **BENCH_ENV, **extra}


def apply_env() -> None:
    """Make this process use the benchmark server (call before importing pipeline)."""
    os.environ.update(BENCH_ENV)
    os.environ.pop("PREFECT_API_URL", None)


@dataclass
class Timed:
    seconds: float
    stdout: str
    stderr: str
    returncode: int

    def json(self) -> dict:
        return json.loads(self.stdout)


def timed(cmd: list[str], env: dict[str, str] | None = None, check: bool = True) -> Timed:
    started = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env or bench_env(),
                            cwd=REPO, check=False)
    elapsed = time.perf_counter() - started
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr[-3000:]}")
    return Timed(elapsed, result.stdout, result.stderr, result.returncode)


def chickgraph(*args: str, env: dict[str, str] | None = None) -> Timed:
    return timed([sys.executable, "-m", "pipeline", *args], env=env)


def machine() -> str:
    cpus = os.cpu_count()
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return (f"{platform.system()} {platform.machine()}, {cpus} cores{mem}, "
            f"Python {platform.python_version()}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")


def wipe() -> None:
    chickgraph("cypher", "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS",
               "--write")
