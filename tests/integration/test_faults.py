"""Faults: Neo4j unreachable, Neo4j killed (SIGKILL) and restarted during a load, the ingest
process killed, a transient error inside one chunk's transaction, a bug that must not be
retried. Whatever happens, a page is never half-written and the next normal run ends with
exactly the graph of a fresh writer.

These tests kill and restart the session's own server (`get_settings()`: the shared test
server in CI) and always leave it running. They are skipped with NEO4J_URI (an external
server is not ours to kill).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from neo4j.exceptions import ClientError, ServiceUnavailable, TransientError

from pipeline.ingest.chunks import flow_chunks
from pipeline.load import cypher_files, db, writer
from pipeline.queries import graph_dump
from pipeline.servers import neo4j_server
from tests import conftest
from tests.conftest import (
    CURRENT,
    FIXTURES,
    REPO,
    assert_same,
    flow_reads,
    load_fresh,
    mark_loaded,
    needs_corpus,
    reference_dump,
    warm_up,
    with_section,
)

pytestmark = pytest.mark.integration

SYNC = FIXTURES / "sync"
TOTAL = 2730  # pages of the 2025-11-29 release


# --------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _graph_is_changed() -> Iterator[None]:
    """These tests rewrite the graph: later tests must not reuse it unless told otherwise."""
    yield
    if conftest._content.loaded not in (None, str(CURRENT)):
        mark_loaded(None)


@pytest.fixture(autouse=True)
def _runs_use_the_session_prefect_api(shared_prefect_api: str) -> None:
    """Every `chickgraph ingest` here reports to the harness's API: the subject is the load,
    and each run is spared starting an ephemeral API of its own. Killing a run's process group
    so leaves that API alone (it is not the run's child)."""


@pytest.fixture
def own_server(settings: Any, driver: Any) -> Iterator[Any]:
    """The session's local server, which the test may kill; running again at the end."""
    if settings.neo4j.external:
        pytest.skip("NEO4J_URI is set: an external server is not ours to kill")
    mark_loaded(None)
    try:
        yield driver
    finally:
        if neo4j_server.running_pid(settings) is None:
            neo4j_server.start(settings, echo=lambda _m: None)
        warm_up(driver, settings)


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 600
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout, cwd=REPO, check=False,
    )


class Ingest:
    """`python -m pipeline ingest FOLDER --json` in the background, in its own session so
    that it and its worker processes can all be killed."""

    def __init__(self, folder: Path, logs: Path, env: dict[str, str] | None = None,
                 program: list[str] | None = None) -> None:
        logs.mkdir(parents=True, exist_ok=True)
        self.stdout_path, self.stderr_path = logs / "stdout", logs / "stderr"
        with self.stdout_path.open("w") as out, self.stderr_path.open("w") as err:
            self.proc = subprocess.Popen(
                program or [sys.executable, "-m", "pipeline", "ingest", str(folder), "--json"],
                stdout=out, stderr=err, cwd=REPO, start_new_session=True,
                env={**os.environ, "CHICKGRAPH_CHUNK_SIZE": "50", **(env or {})},
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill_all()
            raise

    def kill_all(self) -> None:
        """SIGKILL whatever is left of the run's process group (and reap the child)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def page_count(driver: Any, settings: Any) -> int:
    return db.run_read(driver, settings, "MATCH (p:Page) RETURN count(p) AS n")[0]["n"]


def wait_for_pages(driver: Any, settings: Any, run: Ingest, minimum: int,
                   timeout: float = 300) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if run.proc.poll() is not None:
            pytest.fail(f"the ingest ended (exit {run.proc.returncode}) before {minimum} pages "
                        f"were loaded:\n{run.stderr[-3000:]}")
        count = page_count(driver, settings)
        if count >= minimum:
            return count
        time.sleep(0.2)
    run.kill_all()
    pytest.fail(f"fewer than {minimum} pages after {timeout} s")


OTHER_TRANSACTIONS = """
SHOW TRANSACTIONS YIELD transactionId, currentQuery, status
WHERE NOT currentQuery CONTAINS 'chickgraph-test-other-transactions'
RETURN transactionId, currentQuery, status
"""


def wait_until_no_transactions(driver: Any, settings: Any, timeout: float = 60) -> None:
    """Until the server runs no transaction but this one: a client killed mid-COMMIT leaves
    the server to finish (or roll back) its transaction after the client is gone."""
    deadline = time.monotonic() + timeout
    while (left := db.run_read(driver, settings, OTHER_TRANSACTIONS)):
        if time.monotonic() > deadline:
            pytest.fail(f"transactions still open {timeout} s after their client died: {left}")
        time.sleep(0.1)


def assert_one_line_error(returncode: int, stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert returncode != 0
    assert "Traceback" not in stderr and len(lines) == 1, stderr[-3000:]
    return lines[0]


def seed(driver: Any, settings: Any, tmp_path: Path) -> None:
    """An empty graph that already holds the vocabularies and their fingerprint, as after
    an earlier run: a load into it is incremental (pages skipped by hash), not a reload."""
    from pipeline.ingest.chunks import fingerprint, vocabularies

    load_fresh(driver, settings, None)  # a sync to a folder without pages is refused
    db.apply_schema(driver, settings)
    writer.write_vocabulary(driver, settings, vocabularies())  # what the run's prepare step
    writer.set_vocabulary_fingerprint(driver, settings, fingerprint())  # and finish write
    mark_loaded(None)
    assert page_count(driver, settings) == 0


def source_facts(folder: Path, paths: list[str]) -> dict[str, tuple[str, int, int]]:
    """path -> (sha256, images, ortholog rows), straight from the files with PyYAML."""
    facts = {}
    for rel in paths:
        data = (folder / rel).read_bytes()
        fm = yaml.load(data.decode("utf-8").split("---", 2)[1], Loader=yaml.CSafeLoader)
        facts[rel] = (hashlib.sha256(data).hexdigest(), len(fm.get("images") or []),
                      len(fm.get("orthologs") or []))
    return facts


PAGE_STATE = """
MATCH (p:Page)
OPTIONAL MATCH (p)-[:DESCRIBES]->(g:Gene)
RETURN p.path AS path, p.sha256 AS sha256, p.keys AS keys, count(g) AS genes,
       sum(COUNT { (g)-[:HAS_IMAGE]->(:Image) }) AS images,
       sum(COUNT { (g)-[:HAS_ORTHOLOG_ROW]->(:OrthologRow) }) AS rows
"""

ORPHANS = """
RETURN COUNT { MATCH (g:Gene)-[:HAS_IMAGE|HAS_ORTHOLOG_ROW]->()
               WHERE NOT (:Page)-[:DESCRIBES]->(g) } AS genes_without_page,
       COUNT { MATCH (i:Image) WHERE NOT (:Gene)-[:HAS_IMAGE]->(i) } AS images_without_gene,
       COUNT { MATCH (r:OrthologRow) WHERE NOT (:Gene)-[:HAS_ORTHOLOG_ROW]->(r) }
         AS rows_without_gene
"""


def page_state(driver: Any, settings: Any) -> dict[str, dict[str, Any]]:
    return {r["path"]: r for r in db.run_read(driver, settings, PAGE_STATE)}


def assert_pages_complete(driver: Any, settings: Any, folder: Path) -> int:
    """Every Page in the graph has its hash, one gene and all of that page's images and
    ortholog rows; nothing page-owned exists without its Page. Returns the page count."""
    state = page_state(driver, settings)
    facts = source_facts(folder, sorted(state))
    broken = {path: (row["sha256"], row["genes"], row["images"], row["rows"], facts[path])
              for path, row in state.items()
              if (row["sha256"], row["genes"], row["images"], row["rows"])
              != (facts[path][0], 1, facts[path][1], facts[path][2])}
    assert not broken, list(broken.items())[:5]
    orphans = db.run_read(driver, settings, ORPHANS)[0]
    assert orphans == {"genes_without_page": 0, "images_without_gene": 0,
                       "rows_without_gene": 0}, orphans
    return len(state)


@pytest.fixture(scope="module")
def fresh_current(driver: Any, settings: Any, prefect_harness: None) -> graph_dump.GraphDump:
    """The dump of a fresh load (wipe + ingest) of the real corpus, made once."""
    if not CURRENT.exists():
        pytest.skip("the shared corpus is not there")
    return reference_dump(driver, settings, CURRENT)


# --------------------------------------------------------------------------- Neo4j down


def test_local_server_stopped_is_one_line(own_server: Any, settings: Any,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """The project's own server stopped: every command says how to start it, at once."""
    # as a user runs it: the server is checked before an ephemeral Prefect API would start
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    neo4j_server.stop(settings)
    for args in (("ingest", str(SYNC)), ("cypher", "RETURN 1"),
                 ("query", "gene-expression", "-p", "symbol=GENEA"), ("export", "GENEA"),
                 ("schema", "apply")):
        started = time.monotonic()
        result = cli(*args, timeout=60)
        elapsed = time.monotonic() - started
        assert result.returncode == 1, (args, result.stderr[-2000:])
        line = assert_one_line_error(result.returncode, result.stderr)
        assert "not reachable" in line and "chickgraph neo4j start" in line, (args, line)
        assert elapsed < 10, (args, elapsed)


@needs_corpus
@pytest.mark.slow
def test_neo4j_killed_and_restarted_mid_load(
    own_server: Any, settings: Any, fresh_current: graph_dump.GraphDump, tmp_path: Path
) -> None:
    driver = own_server
    seed(driver, settings, tmp_path)
    run = Ingest(CURRENT, tmp_path / "faulted")
    try:
        at_kill = wait_for_pages(driver, settings, run, minimum=200)
        assert neo4j_server.kill(settings)
        time.sleep(3)
        neo4j_server.start(settings, echo=lambda _m: None)
        warm_up(driver, settings)
        code = run.wait(timeout=600)
    finally:
        run.kill_all()
    assert at_kill < TOTAL
    if code == 0:  # the retries carried the run through the outage
        summary = json.loads(run.stdout)
        assert (summary["status"], summary["pages_failed"]) == ("completed", 0)
        assert summary["pages_loaded"] + summary["pages_unchanged"] == TOTAL
    else:  # or it gave up cleanly, every committed page complete
        assert_one_line_error(code, run.stderr)
    assert_pages_complete(driver, settings, CURRENT)
    again = cli("ingest", str(CURRENT), "--json")
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads(again.stdout)["pages_failed"] == 0
    assert_same(graph_dump.dump(driver, settings), fresh_current)
    mark_loaded(CURRENT)


@needs_corpus
@pytest.mark.slow
def test_ingest_killed_mid_run_is_repaired_by_the_next(
    own_server: Any, settings: Any, fresh_current: graph_dump.GraphDump, tmp_path: Path
) -> None:
    driver = own_server
    seed(driver, settings, tmp_path)
    run = Ingest(CURRENT, tmp_path / "killed")
    try:
        wait_for_pages(driver, settings, run, minimum=500)
        os.kill(run.proc.pid, signal.SIGKILL)  # the ingest process itself, as the OOM killer
        run.proc.wait()  # reaped: its pid is gone, as after a crash
    finally:
        run.kill_all()  # then its worker processes
    # a COMMIT the run sent just before it died is still carried out by the server: count
    # the pages only once the dead client's last transaction has ended, one way or the other
    wait_until_no_transactions(driver, settings)
    committed = assert_pages_complete(driver, settings, CURRENT)  # no half-written page
    assert 500 <= committed < TOTAL
    holder = db.run_read(driver, settings, "MATCH (l:IngestLock) RETURN l.pid AS pid")
    assert holder == [{"pid": run.proc.pid}]  # the dead run still holds the lock
    again = cli("ingest", str(CURRENT), "--json")  # same host, dead pid: taken over
    assert again.returncode == 0, again.stderr[-3000:]
    summary = json.loads(again.stdout)
    assert (summary["pages_unchanged"], summary["pages_loaded"], summary["pages_failed"]) == (
        committed, TOTAL - committed, 0)
    assert_same(graph_dump.dump(driver, settings), fresh_current)
    mark_loaded(CURRENT)


# --------------------------------------------------------------------------- one bad chunk

CHUNK = 10
MARKER = "fault_test_marker: v2\n"


@pytest.fixture
def versions(tmp_path: Path) -> tuple[Path, Path]:
    """40 real pages (v1) and the same pages with one more key each (v2: all reloaded)."""
    if not CURRENT.exists():
        pytest.skip("the shared corpus is not there")
    v1, v2 = tmp_path / "v1", tmp_path / "v2"
    v1.mkdir()
    v2.mkdir()
    for page in sorted(CURRENT.glob("*.md"))[:4 * CHUNK]:
        shutil.copy(page, v1 / page.name)
        text = page.read_text(encoding="utf-8")
        assert text.startswith("---\n")
        (v2 / page.name).write_text("---\n" + MARKER + text[4:], encoding="utf-8")
    return v1, v2


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    flow_reads(monkeypatch, with_section(settings, "ingest", chunk_size=CHUNK))


class FailingTx:
    """A real transaction that raises at a chosen statement, after the earlier ones were sent
    (the writer consumes a chunk's statements after sending them all)."""

    def __init__(self, tx: Any, fail_at: str | None, error: BaseException | None) -> None:
        self.tx, self.error = tx, error
        self.fail_at = None if fail_at is None else cypher_files.load(f"load/{fail_at}")
        self.ran = 0

    def run(self, query: str, *args: Any, **kwargs: Any) -> Any:
        if self.fail_at is not None and query == self.fail_at:
            if self.error is None:  # a genuine server-side bug: a missing parameter
                self.tx.run("RETURN $not_given AS x").consume()
            raise self.error  # type: ignore[misc]
        self.ran += 1
        return self.tx.run(query, *args, **kwargs)


class Saboteur:
    """Wraps `writer._write_chunk`: the first attempt at the target chunk fails mid-way, at a
    statement (`fail_at`) or after all of them, just before the COMMIT ("commit")."""

    def __init__(self, target: list[str], fail_at: str, error: BaseException | None,
                 watch: Any) -> None:
        self.real = writer._write_chunk
        self.target, self.fail_at, self.error, self.watch = target, fail_at, error, watch
        self.attempts: list[float] = []
        self.statements_before_failure = 0
        self.seen_at_retry: dict[str, dict[str, Any]] | None = None

    def __call__(self, tx: Any, chunk: writer.ChunkRows, delete_paths: list[str],
                 run_id: str | None) -> None:
        if chunk.paths != self.target:
            return self.real(tx, chunk, delete_paths, run_id)
        self.attempts.append(time.monotonic())
        if len(self.attempts) == 1:
            failing = FailingTx(tx, None if self.fail_at == "commit" else self.fail_at,
                                self.error)
            try:
                self.real(failing, chunk, delete_paths, run_id)
            finally:
                self.statements_before_failure = failing.ran
            assert self.error is not None
            raise self.error  # every statement ran, the Page too: fail before the COMMIT
        if self.seen_at_retry is None:  # what others see between the failure and the retry
            self.seen_at_retry = self.watch()
        return self.real(tx, chunk, delete_paths, run_id)


def _target_state(driver: Any, settings: Any, paths: list[str]) -> Any:
    return lambda: {p: r for p, r in page_state(driver, settings).items() if p in paths}


@pytest.mark.parametrize(("error", "fail_at", "retried_by"), [
    (TransientError("simulated: deadlock detected"), "pages", "driver"),
    (ServiceUnavailable("simulated: connection lost before COMMIT"), "commit", "driver"),
    (ConnectionError("simulated: connection reset"), "pages", "prefect"),
], ids=["TransientError-before-Page", "ServiceUnavailable-before-commit",
        "ConnectionError-before-Page"])
def test_transient_error_in_a_chunk_is_retried_whole(
    empty_graph: Any, settings: Any, versions: tuple[Path, Path], small_chunks: None,
    monkeypatch: pytest.MonkeyPatch, error: BaseException, fail_at: str, retried_by: str,
) -> None:
    """The driver retries Neo4j's own transient errors; Prefect's task retries
    (pipeline/load/retry.py) the rest of `is_transient`. Either way the chunk is rolled back
    and written again whole."""
    from pipeline.flow.flows import ingest_flow

    v1, v2 = versions
    load_fresh(empty_graph, settings, v2)
    expected = graph_dump.dump(empty_graph, settings)
    load_fresh(empty_graph, settings, v1)
    mark_loaded(None)
    before = page_state(empty_graph, settings)
    target = list(flow_chunks(sorted(before), CHUNK))[1]  # the second chunk
    saboteur = Saboteur(target, fail_at, error, _target_state(empty_graph, settings, target))
    monkeypatch.setattr(writer, "_write_chunk", saboteur)

    summary = ingest_flow(str(v2))

    assert len(saboteur.attempts) == 2, saboteur.attempts
    assert saboteur.statements_before_failure >= 5  # it did fail half-way through
    # between the failure and the retry, the chunk's pages were still entirely v1
    assert saboteur.seen_at_retry == {p: before[p] for p in target}
    if retried_by == "prefect":
        assert saboteur.attempts[1] - saboteur.attempts[0] >= 1.9  # RETRY_DELAYS[0] = 2 s
    assert (summary.pages_loaded, summary.pages_failed) == (4 * CHUNK, 0)
    assert_same(graph_dump.dump(empty_graph, settings), expected)
    assert assert_pages_complete(empty_graph, settings, v2) == 4 * CHUNK


@pytest.mark.parametrize("error", [None, ValueError("simulated bug")],
                         ids=["ClientError-from-server", "ValueError"])
def test_a_bug_in_a_chunk_is_not_retried(
    empty_graph: Any, settings: Any, versions: tuple[Path, Path], small_chunks: None,
    monkeypatch: pytest.MonkeyPatch, error: BaseException | None,
) -> None:
    from pipeline.flow.flows import ingest_flow

    v1, v2 = versions
    load_fresh(empty_graph, settings, v2)
    expected = graph_dump.dump(empty_graph, settings)
    load_fresh(empty_graph, settings, v1)
    mark_loaded(None)
    before = page_state(empty_graph, settings)
    paths = sorted(before)
    first, target, *rest = flow_chunks(paths, CHUNK)
    saboteur = Saboteur(target, "pages", error, _target_state(empty_graph, settings, target))
    monkeypatch.setattr(writer, "_write_chunk", saboteur)

    started = time.monotonic()
    with pytest.raises(ClientError if error is None else ValueError):
        ingest_flow(str(v2))
    elapsed = time.monotonic() - started

    assert len(saboteur.attempts) == 1, "a bug was retried"
    assert elapsed < 30, elapsed
    after = page_state(empty_graph, settings)
    assert {p: after[p] for p in target} == {p: before[p] for p in target}  # rolled back
    assert all(MARKER.split(":")[0] in after[p]["keys"] for p in first)  # committed
    assert all(after[p] == before[p] for chunk in rest for p in chunk)  # never reached
    runs = db.run_read(empty_graph, settings, "MATCH (r:IngestRun) RETURN r.status AS s, "
                       "r.pages_loaded AS loaded ORDER BY r.started_at")
    # only the first chunk committed: the failed one and the one absorbed while it was being
    # written (core.write_behind) are not counted as loaded
    assert runs[-1] == {"s": "failed", "loaded": len(first)}
    lock = db.run_read(empty_graph, settings, "MATCH (l:IngestLock) RETURN l.run_id AS r")
    assert lock == [{"r": None}]  # released: the next run is not blocked
    monkeypatch.setattr(writer, "_write_chunk", saboteur.real)
    assert ingest_flow(str(v2)).pages_failed == 0
    assert_same(graph_dump.dump(empty_graph, settings), expected)


def test_a_run_that_died_before_garbage_collection_is_repaired(
    empty_graph: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pipeline.flow.flows import ingest_flow

    pages = tmp_path / "pages"
    shutil.copytree(SYNC, pages)
    load_fresh(empty_graph, settings, pages)
    mark_loaded(None)
    genea = pages / "GENEA.md"
    row = ("- ensembl: ENSMUSG00000000001\n  entrez: '6001'\n  mod: MGI:1\n  phenotypes: ''\n"
           "  species: Mouse\n")
    genea.write_text(genea.read_text(encoding="utf-8").replace(row, ""), encoding="utf-8")

    def crash(*_args: Any) -> None:  # the process dies right here (SIGKILL, power cut...)
        raise RuntimeError("simulated crash before garbage collection")

    monkeypatch.setattr(writer, "collect_garbage", crash)
    with pytest.raises(RuntimeError, match="simulated crash"):
        ingest_flow(str(pages))
    monkeypatch.undo()
    summary = ingest_flow(str(pages))  # the next normal run
    assert (summary.pages_unchanged, summary.pages_failed) == (3, 0)
    synced = graph_dump.dump(empty_graph, settings)
    load_fresh(empty_graph, settings, pages)
    assert_same(synced, graph_dump.dump(empty_graph, settings))


# --------------------------------------------------------------------------- Neo4j gone

# The real CLI, with shorter waits (driver retry 1 s, Prefect retries 0.2 s apart) so that a
# server that never comes back is given up on in seconds instead of minutes.
IMPATIENT_CLI = """
import sys
from neo4j import GraphDatabase
from pipeline.flow.prefect_env import configure_prefect
from pipeline.load import db

configure_prefect()  # as `chickgraph ingest` does before it imports the flow
from pipeline.flow import flows

def make_driver(settings):
    return GraphDatabase.driver(
        settings.neo4j.effective_uri, auth=(settings.neo4j.username, settings.neo4j_password()),
        connection_timeout=2, connection_acquisition_timeout=4, max_transaction_retry_time=1,
        user_agent="chickgraph", notifications_min_severity="OFF")

db.make_driver = make_driver
for name in ("prepare_database", "load_chunk", "finish", "record_run"):
    setattr(flows, name, getattr(flows, name).with_options(retry_delay_seconds=0.2))
from pipeline.cli.main import main
sys.argv = ["chickgraph", *sys.argv[1:]]
main()
"""


@needs_corpus
def test_neo4j_gone_for_good_fails_cleanly(
    own_server: Any, settings: Any, tmp_path: Path
) -> None:
    driver = own_server
    seed(driver, settings, tmp_path)
    run = Ingest(CURRENT, tmp_path / "gone",
                 program=[sys.executable, "-c", IMPATIENT_CLI, "ingest", str(CURRENT), "--json"])
    try:
        wait_for_pages(driver, settings, run, minimum=100)
        assert neo4j_server.kill(settings)
        code = run.wait(timeout=300)
    finally:
        run.kill_all()
    line = assert_one_line_error(code, run.stderr)
    assert "not reachable" in line and "chickgraph neo4j start" in line


def fixture_chunk() -> tuple[Any, Any]:
    """One chunk of the gene pages in tests/fixtures/pages, and the vocabularies it was built
    with (to write before it)."""
    from pipeline.extract.pages import discover, read_page
    from pipeline.ingest.chunks import vocabularies
    from pipeline.load.rows import chunk_rows
    from pipeline.transform.records import transform

    pages = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
    vocab = vocabularies()
    records = [transform(read_page(pages, path, 5_000_000), vocab) for path in discover(pages)]
    return chunk_rows([r for r in records if hasattr(r, "gene_props")]), vocab


@pytest.mark.parametrize("statement, where", [
    ("images", "stage"), ("images", "structure"), ("expressed_in", "structure")])
def test_a_row_naming_no_node_fails_its_chunk(empty_graph: Any, settings: Any,
                                              statement: str, where: str) -> None:
    """load/images and load/expressed_in find their genes, stages and structures once per
    chunk and read them by position: a key that found nothing must fail the chunk (nothing of
    it written), never attach the row to another node's place nor drop it in silence."""
    chunk, vocab = fixture_chunk()
    rows = chunk.rows[statement]
    assert rows
    last = rows[-1]  # the last row or edge: a shifted list would still find a node for it
    if statement == "images" and where == "stage":
        last["stage_key"] = "no-such-stage"
    elif statement == "images":
        last.setdefault("shows", []).append(
            {"structure_key": "no-such-structure", "position": 99, "label": "x"})
    else:
        last["edges"].append({"structure_key": "no-such-structure", "stage_key": "HH10",
                              "site": "no-such-structure@HH10", "stage_ordinal": 10,
                              "image_count": 1})
    db.apply_schema(empty_graph, settings)
    writer.write_vocabulary(empty_graph, settings, vocab)
    with pytest.raises(ClientError, match="missing"):
        writer.write_chunk(empty_graph, settings, chunk)
    written = db.run_read(empty_graph, settings,
                          "MATCH (n) WHERE n:Gene OR n:Image OR n:Page RETURN count(n) AS n")
    assert written == [{"n": 0}]  # the whole chunk rolled back


def test_a_chunk_marks_garbage_pending_and_beats_in_its_own_transaction(
    empty_graph: Any, settings: Any
) -> None:
    """`load_chunk` passes its run id: the lock's gc_pending flag and heartbeat are written by
    the chunk's transaction, so a chunk rolled back leaves them as they were, and a committed
    chunk cannot exist without the flag that makes the next run collect garbage."""
    from pipeline.load import lock

    chunk, vocab = fixture_chunk()
    db.apply_schema(empty_graph, settings)
    writer.write_vocabulary(empty_graph, settings, vocab)
    lock.acquire(empty_graph, settings, "run-1", "here")
    lock.set_gc_pending(empty_graph, settings, False)
    state = ("MATCH (l:IngestLock) RETURN l.gc_pending AS pending, l.heartbeat_at AS beat, "
             "COUNT { (:Page) } AS pages")
    [before] = db.run_read(empty_graph, settings, state)
    assert before["pending"] is False and before["pages"] == 0
    with empty_graph.session(database=settings.neo4j.database) as session:
        tx = session.begin_transaction()
        writer._write_chunk(tx, chunk, sorted(chunk.paths), "run-1")
        tx.rollback()
    assert db.run_read(empty_graph, settings, state) == [before]
    time.sleep(0.01)  # heartbeats are stamped to the millisecond
    writer.write_chunk(empty_graph, settings, chunk, run_id="run-1")
    [after] = db.run_read(empty_graph, settings, state)
    assert after["pending"] is True and after["pages"] == len(chunk.paths)
    assert after["beat"] > before["beat"]
    # another run's id (the lock was taken over): the flag is still set, no heartbeat forged
    lock.set_gc_pending(empty_graph, settings, False)
    writer.write_chunk(empty_graph, settings, chunk, run_id="run-2")
    [other] = db.run_read(empty_graph, settings, state)
    assert other["pending"] is True and other["beat"] == after["beat"]
    lock.release(empty_graph, settings, "run-1")
