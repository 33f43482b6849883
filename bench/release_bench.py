"""Issue 13 benchmark: cold load of the whole 2025-11-29 release (pages + data/) against the
pages alone (its genes/ folder), each from an empty database in a fresh process, interleaved
so machine noise hits both alike. Target: the release costs at most 15% more.

    python -m bench.release_bench [REPEAT]   (writes bench/out/release.json, prints a table)
"""

from __future__ import annotations

import json
import statistics
import sys
from typing import Any

from bench.common import CURRENT, OUT, bench_env, check_isolated, chickgraph, machine, wipe

RELEASE = CURRENT.parent


def measure(repeat: int = 2) -> dict[str, Any]:
    env = bench_env()
    chickgraph("neo4j", "start", env=env)
    runs: dict[str, list[float]] = {"pages": [], "release": []}
    flow: dict[str, list[float]] = {"pages": [], "release": []}
    summaries: dict[str, Any] = {}
    for _ in range(repeat):
        for name, folder in (("pages", CURRENT), ("release", RELEASE)):
            wipe()
            result = chickgraph("ingest", str(folder), "--json", env=env)
            summary = result.json()
            assert summary["pages_failed"] == 0, result.stdout[:500]
            runs[name].append(round(result.seconds, 2))
            flow[name].append(summary["seconds"])
            summaries[name] = summary
    pages_s, release_s = statistics.median(runs["pages"]), statistics.median(runs["release"])
    return {
        "machine": machine(), "repeat": repeat, "runs_s": runs, "flow_reported_s": flow,
        "pages_s": pages_s, "release_s": release_s,
        "extra_pct": round(100 * (release_s / pages_s - 1), 1),
        "flow_extra_pct": round(100 * (statistics.median(flow["release"])
                                       / statistics.median(flow["pages"]) - 1), 1),
        "release_nodes": summaries["release"]["nodes"],
        "release_relationships": summaries["release"]["relationships"],
        "pages_nodes": sum(summaries["pages"]["nodes"].values()),
        "pages_relationships": sum(summaries["pages"]["relationships"].values()),
    }


def main() -> None:
    check_isolated()
    result = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 2)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "release.json").write_text(json.dumps(result, indent=2))
    print("| load | runs (s) | median s | flow-reported s |\n|---|---|---|---|")
    for name in ("pages", "release"):
        print(f"| {name} | {result['runs_s'][name]} | {result[f'{name}_s']} | "
              f"{result['flow_reported_s'][name]} |")
    print(f"release costs {result['extra_pct']}% more (flow-reported: "
          f"{result['flow_extra_pct']}%)")


if __name__ == "__main__":
    main()
