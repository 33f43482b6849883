"""Issue 5 benchmark: first load of the 2025-11-29 corpus, a no-change re-run, and a trivial
Prefect flow (the framework's floor), each in a fresh process, with the ephemeral Prefect API
and with the managed local Prefect server. Target: the no-change re-run's own work (its
time minus the floor) is at most 10% of the first load's own work.

    python -m bench.sync_bench            (writes bench/out/sync.json, prints a table)
"""

from __future__ import annotations

import json
import sys

from bench.common import CURRENT, OUT, bench_env, chickgraph, machine, timed, wipe

TRIVIAL = (
    "from pipeline.prefect_env import configure_prefect\n"
    "configure_prefect()\n"
    "from prefect import flow\n"
    "@flow\n"
    "def trivial():\n"
    "    return 1\n"
    "trivial()\n"
)


def measure(mode: str) -> dict[str, float]:
    env = bench_env()
    if mode == "server":
        chickgraph("prefect", "start", env=env)
    else:
        chickgraph("prefect", "stop", env=env)
    timed([sys.executable, "-c", TRIVIAL], env=env)  # warm-up: migrations, imports
    floor = timed([sys.executable, "-c", TRIVIAL], env=env).seconds
    wipe()
    cold = chickgraph("ingest", str(CURRENT), "--json", env=env)
    rerun = chickgraph("ingest", str(CURRENT), "--json", env=env)
    assert rerun.json()["pages_unchanged"] == 2730, rerun.stdout[:500]
    cold_own, rerun_own = cold.seconds - floor, rerun.seconds - floor
    return {
        "trivial_flow_s": round(floor, 2), "first_load_s": round(cold.seconds, 2),
        "no_change_rerun_s": round(rerun.seconds, 2),
        "first_load_own_s": round(cold_own, 2), "no_change_own_s": round(rerun_own, 2),
        "own_work_ratio": round(rerun_own / cold_own, 3),
        "flow_reported_first_s": cold.json()["seconds"],
        "flow_reported_rerun_s": rerun.json()["seconds"],
    }


def main() -> None:
    chickgraph("neo4j", "start")
    results = {"machine": machine(), "ephemeral": measure("ephemeral"),
               "server": measure("server")}
    chickgraph("prefect", "stop")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "sync.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
