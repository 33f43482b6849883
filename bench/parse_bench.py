"""Parse at half the libyaml floor: the loaders and the 2-worker pass, side by side in one run.

The floor is a plain one-process `yaml.load(fm, Loader=yaml.CSafeLoader)` over the front
matter of every page (read and split beforehand, so only YAML is timed). Against it, in the
same process and run: today's libyaml loader (PageLoader / FastPageLoader, as the handler
chose before the compiled path), the page loader as it is now (yaml12 where the screen lets
it, libyaml otherwise), and parse + transform of the whole corpus by the flow's chunk function
on 2 worker processes and in one process (reading, hashing, validating and building rows
included), once with libyaml only (py-yaml12 switched off) and once as shipped. Each figure is
the best of N passes. The box is shared, so the ratios and the load average are what to
compare, not the seconds.

    python -m bench.parse_bench [PAGES_FOLDER]   # prints one JSON object
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import Any

import yaml

from bench.common import CURRENT
from pipeline.extract import compiled_yaml
from pipeline.extract.pages import _HANDLER, FastPageLoader, PageLoader, discover, relative_id
from pipeline.ingest.chunks import chunked, fewer_gc_pauses, process_chunk, vocabularies
from pipeline.settings import get_settings


def _best_of(runs: int, work: Callable[[], object]) -> float:
    """The fastest of `runs` passes: the least disturbed by the other jobs on the box."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _libyaml_today(fm: str) -> Any:
    """The page loader before the compiled path (what pages.py's handler did)."""
    return yaml.load(fm, Loader=PageLoader if "*" in fm else FastPageLoader)


def _parse_transform(args: tuple[Any, ...], runs: int) -> dict[str, Any]:
    """The flow's chunk function over the corpus: 2 worker processes, then one process."""
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(abs, range(8)))  # the workers exist (forked now: same loader choice)
        results: list[Any] = []

        def two_workers() -> None:
            results[:] = pool.map(process_chunk, *args)

        two = _best_of(runs, two_workers)
    one = _best_of(1, lambda: [process_chunk(*a) for a in zip(*args, strict=False)])
    return {"two_workers_s": two, "one_process_s": one,
            "pages_built": sum(len(r.pages) for r in results),
            "failed": sum(len(r.failed) for r in results)}


def measure(root: Path, runs: int = 3) -> dict[str, Any]:
    settings = get_settings()
    texts = [_HANDLER.split(p.read_text(encoding="utf-8"))[0] for p in discover(root)]
    compiled = sum(compiled_yaml.load(t) is not compiled_yaml.NOT_LOADED for t in texts)
    paths = [relative_id(root, p) for p in discover(root)]
    vocabularies()
    chunks = list(chunked(paths, settings.ingest.chunk_size))
    args = (repeat(str(root)), chunks, repeat({}), repeat(settings.ingest.max_page_bytes))
    load_start = os.getloadavg()
    gc.collect()
    parser = compiled_yaml._parse_yaml
    with fewer_gc_pauses():  # as the flow's writer does while results come back
        csafe = _best_of(runs, lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts])
        today = _best_of(runs, lambda: [_libyaml_today(t) for t in texts])
        now = _best_of(runs, lambda: [_HANDLER.load(t) for t in texts])
        compiled_yaml._parse_yaml = None  # as if py-yaml12 were not installed: libyaml only
        try:
            before = _parse_transform(args, runs)
        finally:
            compiled_yaml._parse_yaml = parser
        after = _parse_transform(args, runs)
    return {
        "pages": len(texts), "pages_on_compiled_path": compiled,
        "compiled_loader": compiled_yaml.available(), "runs_best_of": runs,
        "csafeloader_s": csafe, "libyaml_loader_s": today, "page_loader_s": now,
        "ratio_page_loader_to_csafe": now / csafe,
        "ratio_libyaml_loader_to_csafe": today / csafe,
        "libyaml_only": before, "with_compiled": after,
        "ratio_two_workers_to_csafe": after["two_workers_s"] / csafe,
        "ratio_two_workers_libyaml_only_to_csafe": before["two_workers_s"] / csafe,
        "load_average_start": [round(x, 2) for x in load_start],
        "load_average_end": [round(x, 2) for x in os.getloadavg()],
    }


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else CURRENT
    print(json.dumps(measure(root), indent=1))


if __name__ == "__main__":
    main()
