"""The everyday read commands answer at once: they import only their own command module, never
Prefect or the plotting libraries (which cost seconds), and `--help` still lists everything.
`query` and `cypher` go further (issue 15: within 1.3x of a bare driver script): they read only
the connection settings and skip pydantic, pydantic-settings and, for JSON, Rich."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cli.main import COMMANDS
from tests.conftest import free_port

HEAVY = ("prefect", "matplotlib", "neo4j_viz", "pipeline.flow", "pipeline.cli.prefect_cmd")


# Runs the real command line in a fresh interpreter and lists sys.modules as it exits.
PROBE = """
import atexit, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write("\\n".join(sorted(sys.modules))))
sys.argv = ["chickgraph", *sys.argv[2:]]
runpy.run_module("pipeline", run_name="__main__")
"""


def imported_modules(*args: str, tmp: Path, env: dict[str, str] | None = None,
                     returncode: int = 0) -> set[str]:
    """Modules a real `chickgraph ARGS` process had imported when it exited."""
    listing = tmp / "modules.txt"
    done = subprocess.run([sys.executable, "-c", PROBE, str(listing), *args],
                          capture_output=True, text=True, timeout=120,
                          env=None if env is None else {**os.environ, **env})
    assert done.returncode == returncode, done.stderr[-2000:]
    if returncode:  # an expected failure: one line, no traceback
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr[-2000:]
    names = set(listing.read_text().split())
    assert "pipeline.cli.main" in names
    return names


def heavy_modules(names: set[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(n for n in names if n in heavy or any(n.startswith(h + ".") for h in heavy))


def unreachable_server(tmp: Path) -> dict[str, str]:
    """An external server nobody listens on: commands run their whole path up to connecting,
    then fail in one line, fast (connection refused)."""
    return {"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "NEO4J_PASSWORD": "not-used",
            "CHICKGRAPH_HOME": str(tmp / "state")}


@pytest.mark.parametrize("command", [["query", "--help"], ["cypher", "--help"],
                                     ["export", "--help"], ["runs", "--help"],
                                     ["config", "show", "--help"]])
def test_read_commands_import_neither_prefect_nor_plots(command: list[str],
                                                       tmp_path: Path) -> None:
    names = imported_modules(*command, tmp=tmp_path)
    assert COMMANDS[command[0]][0] in names
    assert heavy_modules(names) == []


# The commands themselves, not only their --help: everything up to the query (settings, the
# driver, the named query, output) is imported; the server is unreachable, so they fail there.
RUNS = [
    (["query", "orthologs", "-p", "symbol=ALAS2", "--format", "json"], 1),
    (["query", "genes-in-tissue", "-p", "structure=heart", "-p", "from_stage=HH10"], 1),
    (["cypher", "RETURN 1 AS x", "--format", "json"], 1),
    (["export", "ALAS2"], 1),
    (["runs"], 1),
    (["config", "show"], 0),
    (["config", "show", "--json"], 0),
]


@pytest.mark.parametrize(("command", "returncode"), RUNS, ids=[" ".join(c) for c, _ in RUNS])
def test_read_commands_run_without_prefect_or_plots(command: list[str], returncode: int,
                                                    tmp_path: Path) -> None:
    names = imported_modules(*command, tmp=tmp_path, env=unreachable_server(tmp_path),
                             returncode=returncode)
    assert COMMANDS[command[0]][0] in names
    assert heavy_modules(names) == []


# What a bare driver script does not import either (see bench/run_all.py, step_cli)
NOT_FOR_A_QUERY = ("pydantic", "pydantic_settings", "pipeline.settings", "rich", "prefect",
                   "matplotlib", "pipeline.transform")


@pytest.mark.parametrize("command", [
    ["query", "orthologs", "-p", "symbol=ALAS2", "--format", "json", "--limit", "5"],
    ["cypher", "RETURN $s AS s", "-p", "s=1", "--format", "json"],
])
def test_query_and_cypher_skip_pydantic_and_rich(command: list[str], tmp_path: Path) -> None:
    names = imported_modules(*command, tmp=tmp_path, env=unreachable_server(tmp_path),
                             returncode=1)
    assert "neo4j" in names  # it did get as far as the driver
    assert heavy_modules(names, NOT_FOR_A_QUERY) == []


def test_the_symbol_fallback_skips_pydantic_too() -> None:
    """A symbol that finds nothing (`Pou5f3`) is looked up ignoring case: that module comes only
    after the server answered, which the probes above never reach, so it is checked alone."""
    done = subprocess.run([sys.executable, "-c", "import sys, pipeline.queries.symbols; "
                           "print(' '.join(sorted(sys.modules)))"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert heavy_modules(set(done.stdout.split()), NOT_FOR_A_QUERY) == []


def test_typer_still_reports_bad_values(tmp_path: Path) -> None:
    """A bad integer is typer's usage error, exit 2 (typer is pinned below 0.29, whose pydantic
    coercion of every parameter cost each command ~0.1 s)."""
    done = subprocess.run([sys.executable, "-m", "pipeline", "query", "orthologs", "-p",
                           "symbol=ALAS2", "--limit", "many"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, **unreachable_server(tmp_path)})
    assert done.returncode == 2, done.stderr
    assert "--limit" in done.stderr and "not a valid int" in done.stderr


@pytest.mark.parametrize(("command", "choices"), [
    (["query", "orthologs", "-p", "symbol=ALAS2"], "table, json, csv"),
    (["cypher", "RETURN 1"], "table, json, csv"),
    (["runs"], "table, json, csv"),
    (["export", "ALAS2"], "yaml, json"),
])
def test_an_unknown_format_is_refused_not_replaced(command: list[str], choices: str,
                                                   tmp_path: Path) -> None:
    """`-f xml` printed the default format, exit 0: a script parsing the output got a table."""
    done = subprocess.run([sys.executable, "-m", "pipeline", *command, "-f", "xml"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **unreachable_server(tmp_path)})
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.replace("│", " ").split())  # typer's box wraps the line
    assert "unknown format 'xml'; choose " + choices in said, done.stderr
    assert done.stdout == ""


def test_an_unreachable_server_is_one_line_with_its_reason(tmp_path: Path) -> None:
    """The driver's message runs over two lines; the first alone ended on "resolved to (...):",
    the reason cut off."""
    done = subprocess.run([sys.executable, "-m", "pipeline", "cypher", "RETURN 1"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **unreachable_server(tmp_path)})
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith("error: Neo4j is not reachable at bolt://127.0.0.1:"), line
    assert "Connection refused" in line and not line.endswith(":"), line


def test_serve_refuses_a_bad_cron_before_serving(tmp_path: Path) -> None:
    """It failed inside Prefect's deployment code: a 190-line traceback, no `error:` line."""
    done = subprocess.run([sys.executable, "-m", "pipeline", "serve", "--cron", "not a cron"],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **unreachable_server(tmp_path),
                               "CHICKGRAPH_PREFECT_HOME": str(tmp_path / "prefect")})
    assert done.returncode == 2, done.stderr
    said = " ".join(done.stderr.replace("│", " ").split())
    assert "--cron or schedule.cron: 'not a cron' (UTC)" in said, done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_the_probe_sees_heavy_imports(tmp_path: Path) -> None:
    """The check above can fail: `serve` does load its module (Prefect comes when it runs)."""
    assert "pipeline.cli.prefect_cmd" in imported_modules("serve", "--help", tmp=tmp_path)


# what the plot commands' help tells a user to run (pipeline/cli/query_cmd.py's plot_app)
PLOTS_HINT = "pip install 'chickgraph[plots]'"


def test_top_level_help_lists_every_command() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "--help"], capture_output=True,
                          text=True, timeout=120, env={"COLUMNS": "200", "PATH": ""})
    assert done.returncode == 0, done.stderr
    listed = {line.split()[1] for line in done.stdout.splitlines()
              if line.startswith("│ ") and len(line.split()) > 2}
    assert set(COMMANDS) <= listed, listed
    # the first sentence of each command's help is its summary: one cut after "e.g." read as
    # broken; typer renders help as Rich markup, where an unescaped "[plots]" was a tag and
    # vanished from the install hint
    assert "e.g." not in done.stdout, done.stdout
    assert PLOTS_HINT in " ".join(done.stdout.replace("│", "").split())


def test_the_plot_group_says_how_to_install_what_it_needs() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "plot", "--help"],
                          capture_output=True, text=True, timeout=120, env={"COLUMNS": "200"})
    assert done.returncode == 0, done.stderr
    assert PLOTS_HINT in done.stdout, done.stdout


def test_unknown_command_is_reported_with_the_choices() -> None:
    done = subprocess.run([sys.executable, "-m", "pipeline", "no-such-command"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "No such command" in done.stderr


# Records, as the process exits, how many objects the collector no longer traces.
FREEZE_PROBE = """
import atexit, gc, runpy, sys
out = sys.argv[1]
atexit.register(lambda: open(out, "w").write(str(gc.get_freeze_count())))
sys.argv = ["chickgraph", *sys.argv[2:]]
runpy.run_module("pipeline", run_name="__main__")
"""


@pytest.mark.parametrize(("command", "returncode"), [(["config", "show"], 0),
                                                     (["query", "orthologs"], 1)])
def test_commands_exit_without_tracing_their_heap_again(command: list[str], returncode: int,
                                                        tmp_path: Path) -> None:
    """main() freezes what is alive when the command is done, failed ones included, so the
    interpreter's shutdown does not trace it all once more (0.3 s of every ingest)."""
    counted = tmp_path / "frozen.txt"
    done = subprocess.run([sys.executable, "-c", FREEZE_PROBE, str(counted), *command],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **unreachable_server(tmp_path)})
    assert done.returncode == returncode, done.stderr[-2000:]
    assert int(counted.read_text()) > 10_000  # the modules of the command, at least
