"""Run as a script by test_import_side_effects: import modules of the package one by one and
report, as JSON, what each import did that an import must not do (read settings, set
environment variables such as Prefect's, start threads or processes, create the state dir,
choose matplotlib's backend for the whole process).
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
import threading
from pathlib import Path


def _backend() -> object:
    """matplotlib's backend setting as it stands, without resolving it (reading
    `rcParams["backend"]` would choose one)."""
    import matplotlib

    return dict.__getitem__(matplotlib.rcParams, "backend")


def effects(before_env: dict[str, str], watched: list[Path],
            backend: object | None = None) -> list[str]:
    import psutil

    found = []
    changed = sorted(k for k in set(os.environ) | set(before_env)
                     if os.environ.get(k) != before_env.get(k))
    if changed:
        found.append(f"environment changed: {', '.join(changed)}")
    threads = [t.name for t in threading.enumerate() if t is not threading.main_thread()]
    if threads:
        found.append(f"threads started: {', '.join(threads)}")
    children = psutil.Process().children(recursive=True)
    if children:
        found.append(f"processes started: {[c.pid for c in children]}")
    found += [f"created {path}" for path in watched if path.exists()]
    settings = sys.modules.get("pipeline.settings")
    if settings is not None and settings.get_settings.cache_info().currsize:
        found.append("settings read")
    if backend is not None and _backend() != backend:
        found.append(f"matplotlib backend set: {_backend()}")
    return found


def main() -> None:
    only = set(sys.argv[1:])
    watched = [Path(os.environ["CHICKGRAPH_HOME"])]
    before = dict(os.environ)
    backend = _backend()  # matplotlib's own import chooses nothing
    import pipeline

    report: dict[str, list[str]] = {}
    names = sorted(info.name for info in pkgutil.walk_packages(pipeline.__path__, "pipeline."))
    for name in names:
        if only and name not in only:
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # an import that reads the (broken) config fails here
            report[name] = [f"import failed: {type(exc).__name__}: {exc}"[:300]]
            continue
        found = effects(before, watched, backend)
        if found:
            report[name] = found
            before, backend = dict(os.environ), _backend()  # each effect once, where it began
    print(json.dumps({"modules": names, "effects": report}))


if __name__ == "__main__":
    main()
