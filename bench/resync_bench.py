"""A release sync that rewrites (almost) every page against a fresh load of the same release:
2025-11-29 -> 2025-11-24 rewrites 2,653 of 2,730 pages and deletes 13, and back. Each run is
`chickgraph ingest --json` in a fresh process (ephemeral Prefect), with the record cache warm
for both releases, so parsing is the same small cost in every row and the rows differ only
in what they write. A sync should cost about what a fresh load does: it writes the same
pages, plus deleting the old ones.

    python -m bench.resync_bench [REPEAT]   (writes bench/out/resync.json, prints a table)
"""

from __future__ import annotations

import json
import statistics
import sys
from pathlib import Path
from typing import Any

from bench.common import (
    CURRENT,
    OUT,
    PREVIOUS,
    bench_env,
    check_isolated,
    chickgraph,
    load_average,
    machine,
    wipe,
)


def _ingest(folder: Path, env: dict[str, str]) -> tuple[float, dict[str, Any]]:
    result = chickgraph("ingest", str(folder), "--json", env=env)
    summary = result.json()
    assert summary["pages_failed"] == 0, result.stdout[:500]
    return result.seconds, summary


# (row, folder ingested, fresh: database emptied first), in the order they run; a sync's
# target is the release it ingests, so its ratio is to the fresh load of that same folder
RUNS: tuple[tuple[str, Path, bool], ...] = (
    ("fresh 2025-11-29", CURRENT, True),
    ("sync 2025-11-29 -> 2025-11-24", PREVIOUS, False),
    ("sync 2025-11-24 -> 2025-11-29", CURRENT, False),
    ("fresh 2025-11-24", PREVIOUS, True),
)


def measure(repeat: int = 2) -> dict[str, Any]:
    env = bench_env()
    chickgraph("neo4j", "start", env=env)
    wipe()  # and the record cache: filled next, for both releases
    for folder in (PREVIOUS, CURRENT):
        wipe(records=False)
        _ingest(folder, env)
    rows: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in RUNS}
    counts: dict[str, tuple[int, int]] = {}
    started = load_average()
    for _ in range(repeat):
        for name, folder, fresh in RUNS:
            if fresh:
                wipe(records=False)
            wall, summary = _ingest(folder, env)
            rows[name].append((round(wall, 2), summary["seconds"]))
            counts[name] = (summary["pages_loaded"], summary["pages_deleted"])
    medians = {name: (statistics.median(w for w, _ in runs), statistics.median(f for _, f in runs))
               for name, runs in rows.items()}
    return {"machine": machine(), "repeat": repeat, "runs": rows, "medians": medians,
            "pages_loaded_deleted": counts, "load_average": [started, load_average()]}


def table(result: dict[str, Any]) -> str:
    med = result["medians"]
    fresh_flow = {folder: med[name][1] for name, folder, fresh in RUNS if fresh}
    lines = ["| run | pages loaded / deleted | wall s | flow's timer s | x fresh load of the "
             "target (flow's timer) |", "|---|---|---|---|---|"]
    for name, folder, _ in RUNS:
        wall, flow = med[name]
        loaded, deleted = result["pages_loaded_deleted"][name]
        lines.append(f"| {name} | {loaded:,} / {deleted} | {wall:.1f} | {flow:.1f} | "
                     f"{flow / fresh_flow[folder]:.2f} |")
    return "\n".join(lines)


def main() -> None:
    check_isolated()
    repeat = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    result = measure(repeat)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "resync.json").write_text(json.dumps(result, indent=2))
    print(result["machine"])
    print(f"medians of {repeat}; load average {result['load_average']}")
    print(table(result))


if __name__ == "__main__":
    main()
