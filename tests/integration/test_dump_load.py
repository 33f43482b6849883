"""`chickgraph neo4j dump` / `load` on the whole 2025-11-29 corpus, and the faults around them.

dump -> wipe -> load must give an equal graph dump, and the restored graph must skip its own
pages by hash. Every fault (neo4j-admin killed during a dump or a load, truncated, foreign or
other-version file, full disk) must end in a one-line error with the previous database intact
and the server running. A marker node makes "the previous database" differ from the dump, so
"intact" cannot be confused with "the dump got loaded".

These tests stop and restart the session's local server; skipped with NEO4J_URI.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pipeline.ingest.chunks import fingerprint
from pipeline.load import cypher_files, db
from pipeline.queries import graph_dump
from pipeline.servers import dump, neo4j_server
from tests.conftest import (
    CURRENT,
    REPO,
    graph_of,
    mark_loaded,
    needs_corpus,
    reference_dump,
    warm_up,
)
from tests.tarfiles import write_tar

pytestmark = [pytest.mark.integration, needs_corpus]
TOTAL = 2730  # pages of the 2025-11-29 release
MARKER = "MERGE (:DumpTestMarker {key: 'previous database'})"
UNMARK = "MATCH (m:DumpTestMarker) DELETE m RETURN count(*) AS markers"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=900, check=False)


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """Exit 1, no traceback, and the error is the one last line (progress lines such as
    "Stopping Neo4j ..." may precede it on stderr)."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, (result.returncode, result.stderr[-3000:])
    assert "Traceback" not in result.stderr and lines, result.stderr[-3000:]
    errors = [line for line in lines if line.startswith("error: ")]
    assert errors == [lines[-1]], result.stderr[-3000:]
    return lines[-1]


@pytest.fixture(scope="module")
def own_server(settings: Any, driver: Any) -> Iterator[Any]:
    if settings.neo4j.external:
        pytest.skip("NEO4J_URI is set: dump and load work on the local server only")
    yield driver
    if neo4j_server.running_pid(settings) is None:  # a test failed while the server was down
        neo4j_server.start(settings, echo=lambda _m: None)
        mark_loaded(None)
    warm_up(driver, settings)
    # Otherwise the graph is what the last test proved and said (`mark_loaded`): the readers
    # test after this module reuses the corpus instead of loading it again (~55 s in CI).


@pytest.fixture(scope="module")
def corpus_dump(own_server: Any, settings: Any, prefect_harness: None,
                tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, graph_dump.GraphDump]:
    """The whole 2025-11-29 corpus as the flow loads it, dumped with the CLI; and its graph.

    Dumped from a stopped server, which the dump starts for its facts and leaves stopped as
    it found it (a dump from a running one, restarted after: test_admin_killed_during_dump)."""
    before = reference_dump(own_server, settings, CURRENT)
    graph_of(own_server, settings, CURRENT)
    out = tmp_path_factory.mktemp("dumps") / "chickgraph-2025-11-29.tar"
    neo4j_server.stop(settings)
    result = cli("neo4j", "dump", "-o", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert neo4j_server.running_pid(settings) is None, "the dump left the server running"
    neo4j_server.start(settings, echo=lambda _m: None)
    warm_up(own_server, settings)
    after = graph_dump.dump(own_server, settings)
    assert after == before, after.difference(before)  # dumping changes nothing
    mark_loaded(CURRENT)
    return out, before


@pytest.fixture
def previous_db(own_server: Any, settings: Any, corpus_dump: Any) -> Iterator[None]:
    """The live database before a fault: the dumped corpus plus a marker node the dump lacks.

    Afterwards the marker must still be there (the dump did not replace the database) and the
    rest must equal the corpus: a whole graph dump when the server was restarted during the
    test (neo4j-admin only works on a stopped database), else the node and relationship
    totals of the dump's manifest (a refusal before the stop cannot have touched the store)."""
    db.run_write(own_server, settings, MARKER)
    mark_loaded(None)
    server = neo4j_server.running_pid(settings)
    yield
    warm_up(own_server, settings)
    now = neo4j_server.running_pid(settings)
    assert now is not None, "the server is not running"
    removed = db.run_write(own_server, settings, UNMARK)
    assert removed == [{"markers": 1}], "the previous database was replaced: no marker node"
    before = corpus_dump[1]
    if now != server:
        after = graph_dump.dump(own_server, settings)
        assert after == before, after.difference(before)
    else:
        assert_manifest_totals(own_server, settings, corpus_dump[0])
    mark_loaded(CURRENT)


def assert_manifest_totals(driver: Any, settings: Any, path: Path) -> None:
    """The database holds as many nodes and relationships as the dump's manifest says."""
    dumped = dump.read_manifest(path)
    totals = db.run_read(driver, settings, cypher_files.load("admin/dump_counts"))[0]
    assert totals == {"nodes": dumped.nodes, "relationships": dumped.relationships}, totals


def test_manifest_describes_the_graph(corpus_dump: Any, own_server: Any, settings: Any) -> None:
    path, before = corpus_dump
    manifest = dump.read_manifest(path)
    unlabelled = db.run_read(own_server, settings, "MATCH (n) WHERE n:GraphMeta OR n:IngestLock "
                             "RETURN count(n) AS n")[0]["n"]  # not in the stats label list
    assert manifest.chickgraph_version == dump.chickgraph_version()
    assert manifest.neo4j_version.startswith("Neo4j/5.26")
    assert manifest.vocabulary_fingerprint == fingerprint()
    assert manifest.last_run is not None and manifest.last_run.source == str(CURRENT)
    assert manifest.labels["Page"] == TOTAL
    assert manifest.nodes == sum(manifest.labels.values()) + unlabelled
    assert manifest.relationships == sum(manifest.types.values())
    assert sum(before.relationships.values()) == manifest.relationships
    with tarfile.open(path) as tar:
        assert tar.getnames() == ["manifest.json", "neo4j.dump"]


def test_dump_load_is_identical_and_skips_its_pages(corpus_dump: Any, own_server: Any,
                                                   settings: Any) -> None:
    """Refused over a graph without --force; into an emptied database, the same graph, and
    the flow finds every page unchanged by hash; with --force over a graph, loaded again.

    The restored graph is not synced to the other release here: it equals the dumped graph
    (the whole graph dump) and skips all 2,730 pages, so a sync from it is a sync from the
    loaded corpus, which test_readers_during_sync (same two folders) and test_release (both
    ways, with data/) prove against fresh loads. That sync cost ~80 s of CI here."""
    from pipeline.flow.flows import ingest_flow

    path, before = corpus_dump
    refused = one_line_error(cli("neo4j", "load", str(path)))
    assert "not empty" in refused and "--force" in refused

    graph_dump.wipe(own_server, settings)
    mark_loaded(None)
    result = cli("neo4j", "load", str(path))
    assert result.returncode == 0, result.stderr[-3000:]
    warm_up(own_server, settings)
    restored = graph_dump.dump(own_server, settings)
    assert restored == before, restored.difference(before)

    again = ingest_flow(str(CURRENT))  # the restored graph's own release: nothing to do
    assert (again.pages_loaded, again.pages_unchanged, again.full_reload) == (0, TOTAL, False)

    # the same file through the same code as the load above, which the graph dump proved:
    # the manifest's totals (the load checks them too) show the --force path replaced the graph
    db.run_write(own_server, settings, MARKER)
    result = cli("neo4j", "load", str(path), "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    warm_up(own_server, settings)
    assert_manifest_totals(own_server, settings, path)
    assert db.run_write(own_server, settings, UNMARK) == [{"markers": 0}]  # replaced
    mark_loaded(CURRENT)


# --------------------------------------------------------------------------- faults


def _kill_admin_during(args: list[str], settings: Any, delay_s: float) -> tuple[
        subprocess.CompletedProcess[str], bool]:
    """Run the CLI; SIGKILL its neo4j-admin process `delay_s` after it starts."""
    layout = neo4j_server.ServerLayout.from_settings(settings)
    pid_file = dump.admin_pid_file(layout)
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=REPO, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    killed = False
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline and not killed:
        with contextlib.suppress(OSError, ValueError):
            pid = int(pid_file.read_text())
            time.sleep(delay_s)
            # only our own neo4j-admin: never a process that reused the pid
            if neo4j_server.ADMIN_TOOL in Path(f"/proc/{pid}/cmdline").read_text() and \
                    pid_file.read_text() == str(pid):
                os.kill(pid, signal.SIGKILL)
                killed = True
        time.sleep(0.05)
    out, err = proc.communicate(timeout=600)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err), killed


def test_admin_killed_during_dump(previous_db: Any, settings: Any, tmp_path: Path) -> None:
    out = tmp_path / "killed.tar"
    result, killed = _kill_admin_during(["neo4j", "dump", "-o", str(out)], settings, 1.0)
    assert killed, "neo4j-admin finished before it could be killed"
    assert "killed by signal 9" in one_line_error(result)
    assert list(tmp_path.iterdir()) == []  # no FILE, no partial, no work folder


def test_admin_killed_during_load(previous_db: Any, corpus_dump: Any, settings: Any) -> None:
    result, killed = _kill_admin_during(["neo4j", "load", str(corpus_dump[0]), "--force"],
                                        settings, 1.5)
    assert killed, "neo4j-admin finished before it could be killed"
    assert "killed by signal 9" in one_line_error(result)


def test_truncated_dump_is_refused(previous_db: Any, corpus_dump: Any, tmp_path: Path) -> None:
    data = corpus_dump[0].read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[: len(data) // 2])
    line = one_line_error(cli("neo4j", "load", str(cut), "--force"))
    assert str(cut) in line and "truncated" in line


@pytest.mark.parametrize("kind", ["random bytes", "tar without manifest", "bad manifest",
                                  "a folder"])
def test_foreign_file_is_refused(previous_db: Any, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "foreign.tar"
    if kind == "a folder":  # it said "no such file"
        path.mkdir()
        line = one_line_error(cli("neo4j", "load", str(path), "--force"))
        assert line == (f"error: {path}: is a folder; give the dump file (made by `chickgraph "
                        "neo4j dump -o FILE`)")
        return
    if kind == "random bytes":
        path.write_bytes(os.urandom(300_000))
    elif kind == "tar without manifest":
        write_tar(path, {"neo4j.dump": os.urandom(1000)})
    else:
        write_tar(path, {"manifest.json": json.dumps({"format": "chickgraph-dump/1"}).encode()})
    line = one_line_error(cli("neo4j", "load", str(path), "--force"))
    assert str(path) in line
    assert ("manifest.json: chickgraph_version" in line if kind == "bad manifest"
            else "not a ChickGraph dump" in line)


def test_other_chickgraph_version_is_refused(previous_db: Any, corpus_dump: Any,
                                             tmp_path: Path) -> None:
    with tarfile.open(corpus_dump[0]) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
        body = tar.extractfile("neo4j.dump").read()  # type: ignore[union-attr]
    manifest["chickgraph_version"] = "0.0.1"
    path = write_tar(tmp_path / "old.tar", {"manifest.json": json.dumps(manifest).encode(),
                                            "neo4j.dump": body})
    line = one_line_error(cli("neo4j", "load", str(path), "--force"))
    assert "chickgraph_version" in line and "0.0.1" in line


@contextlib.contextmanager
def small_filesystem(where: Path, size: str) -> Iterator[Path]:
    where.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                              str(where)], capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_full_disk_during_dump(previous_db: Any, tmp_path: Path) -> None:
    with small_filesystem(tmp_path / "small", "2m") as small:
        line = one_line_error(cli("neo4j", "dump", "-o", str(small / "x.tar")))
        assert "No space left" in line or "space" in line.lower(), line
        assert list(small.iterdir()) == []


def test_full_disk_during_load(previous_db: Any, corpus_dump: Any, settings: Any) -> None:
    """Room for the unpacked .dump but not for the store neo4j-admin builds from it."""
    staging = dump.staging_for(neo4j_server.ServerLayout.from_settings(settings)).root
    size_mb = corpus_dump[0].stat().st_size // 2**20 + 6
    with small_filesystem(staging, f"{size_mb}m"):
        line = one_line_error(cli("neo4j", "load", str(corpus_dump[0]), "--force"))
        assert "space" in line.lower(), line
    with contextlib.suppress(OSError):
        staging.rmdir()
