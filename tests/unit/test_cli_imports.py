"""The everyday read commands answer at once: they import only their own command module, never
Prefect or the plotting libraries (which cost seconds), and `--help` still lists everything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.main import COMMANDS

HEAVY = ("prefect", "matplotlib", "neo4j_viz", "pipeline.flow", "pipeline.cli.prefect_cmd")


# Runs the real command line in a fresh interpreter and lists sys.modules as it exits.
PROBE = """
import atexit, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
sys.argv = ["chickgraph", *sys.argv[2:]]
runpy.run_module("pipeline", run_name="__main__")
"""


def imported_modules(*args: str, tmp: Path) -> set[str]:
    """Modules a real `chickgraph ARGS` process had imported when it exited."""
    listing = tmp / "modules.txt"
    done = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set(listing.read_text().split())
    assert "pipeline.cli.main" in names
    return names


@pytest.mark.parametrize("command", [["query", "--help"], ["cypher", "--help"],
                                     ["export", "--help"], ["runs", "--help"],
                                     ["config", "show", "--help"]])
def test_read_commands_import_neither_prefect_nor_plots(command: list[str],
                                                       tmp_path: Path) -> None:
    names = imported_modules(*command, tmp=tmp_path)
    assert COMMANDS[command[0]][0] in names
    heavy = sorted(n for n in names if n.split(".")[0] in HEAVY or n in HEAVY
                   or any(n.startswith(h + ".") for h in HEAVY))
    assert heavy == []


def test_the_probe_sees_heavy_imports(tmp_path: Path) -> None:
    """The check above can fail: `serve` does load its module (Prefect comes when it runs)."""
    assert "pipeline.cli.prefect_cmd" in imported_modules("serve", "--help", tmp=tmp_path)


def test_top_level_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True,
                          text=True, timeout=120, env={"COLUMNS": "200", "PATH": ""})
    assert done.returncode == 0, done.stderr
    listed = {line.split()[1] for line in done.stdout.splitlines()
              if line.startswith("│ ") and len(line.split()) > 2}
    assert set(COMMANDS) <= listed, listed


def test_unknown_command_is_reported_with_the_choices() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "no-such-command"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "No such command" in done.stderr
