"""Importing any module of the package does no work: no settings read, no environment (Prefect's
included) changed, no thread, process or state folder started or created.

Every module is imported in one fresh interpreter (tests/unit/import_probe.py) whose
CHICKGRAPH_CONFIG is a broken file, so a module that reads settings fails to import, and whose
environment holds no PREFECT_* variable, so configuring Prefect shows as a change.
"""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import pipeline

PROBE = Path(__file__).with_name("import_probe.py")
FLOWS = "pipeline.flow.flows"


def _modules() -> list[str]:
    names = sorted(info.name for info in pkgutil.walk_packages(pipeline.__path__, "pipeline."))
    return names


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp = tmp_path_factory.mktemp("imports")
    broken = tmp / "broken.yaml"
    broken.write_text("neo4j: [\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "CHICKGRAPH_", "NEO4J_"))}
    env |= {"CHICKGRAPH_CONFIG": str(broken), "CHICKGRAPH_HOME": str(tmp / "state"),
            "HOME": str(tmp / "home")}  # where Prefect's import puts ~/.prefect
    run = subprocess.run([sys.executable, str(PROBE)], cwd=tmp, env=env, capture_output=True,
                         text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout)


def test_the_probe_sees_every_module_and_catches_effects(probe: dict[str, Any]) -> None:
    assert FLOWS in probe["modules"] and "pipeline.cli.main" in probe["modules"]
    assert len(probe["modules"]) >= 40


CHECK = """
import os, sys, threading, time
sys.path.insert(0, {probe_dir!r})
import import_probe
before = dict(os.environ)
os.environ["PREFECT_HOME"] = "/nowhere"          # what configure_prefect() did at import
from pipeline.settings import get_settings
get_settings()                                    # a settings read
threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
backend = import_probe._backend()
import matplotlib; matplotlib.use("Agg")          # a backend for the whole process
print(import_probe.json.dumps(import_probe.effects(before, [], backend)))
"""


def test_the_probe_catches_what_it_looks_for(tmp_path: Path) -> None:
    """The checks themselves: an environment change, a settings read, a thread and a chosen
    matplotlib backend are seen."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    run = subprocess.run([sys.executable, "-c", CHECK.format(probe_dir=str(PROBE.parent))],
                         env=env, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    found = json.loads(run.stdout)
    assert any("PREFECT_HOME" in f for f in found), found
    assert "settings read" in found, found
    assert any(f.startswith("threads started") for f in found), found
    assert "matplotlib backend set: Agg" in found, found


@pytest.mark.parametrize("module", _modules())
def test_importing_does_no_work(probe: dict[str, Any], module: str) -> None:
    assert module in probe["modules"]
    assert probe["effects"].get(module, []) == []
