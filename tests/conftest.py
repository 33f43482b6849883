"""Test fixtures: a real Neo4j 5.26 (the project's own, on a test port and home, or NEO4J_URI)
and Prefect's test harness. Nothing here is mocked.

The test server uses its own home (`.local/neo4j-test`) and port (17688) so that running the
tests never touches the data of `make run`.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
CORPUS = SHARED / "corpus"
CURRENT = CORPUS / "chickybase-2025-11-29" / "genes"
PREVIOUS = CORPUS / "chickybase-2025-11-24" / "genes"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

if not os.environ.get("NEO4J_URI"):
    os.environ.setdefault("CHICKGRAPH_BOLT_PORT", "17688")
    os.environ.setdefault("CHICKGRAPH_NEO4J_HOME", str(REPO / ".local" / "neo4j-test"))
    # test_faults kills the server mid-load: with Neo4j's 15-minute default, its restart
    # replayed every write since (the wipe of the corpus and more: 22 s of recovery in CI)
    os.environ.setdefault("CHICKGRAPH_CHECKPOINT_INTERVAL", "10s")
os.environ.setdefault("PREFECT_HOME", str(REPO / ".local" / "prefect-test"))
# never report test flows to a managed Prefect server a developer may have running
os.environ.setdefault("CHICKGRAPH_PREFECT_HOME", str(REPO / ".local" / "prefect-test"))
os.environ.setdefault("CHICKGRAPH_PREFECT_PORT", "14299")
# a record cache of the session's own (removed at its end): the first load of each release
# in a session parses every page, later loads read the cache; tests that compare a load with
# the session's first one so also prove the cache changes nothing
_RECORDS = tempfile.mkdtemp(prefix="chickgraph-records-")
os.environ.setdefault("CHICKGRAPH_RECORD_CACHE", _RECORDS)
atexit.register(shutil.rmtree, _RECORDS, True)

from pipeline.flow.prefect_env import configure_prefect  # noqa: E402
from pipeline.servers import neo4j_server  # noqa: E402
from pipeline.settings import Settings, get_settings  # noqa: E402

# Tests call `ingest_flow` directly, without `chickgraph ingest`: configure Prefect (home,
# ephemeral API start-up timeout, log level) as a command does, before Prefect is imported.
configure_prefect()

_server_versions: list[str] = []
_figures: list[str] = []
_fresh_loads: list[tuple[str, float]] = []  # (source, seconds) of each load_fresh


def report(line: str) -> None:
    """A line of figures for the end of the run: shown even though pytest captures output,
    so CI logs carry what a test measured (e.g. reader latencies during a sync)."""
    _figures.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say once, at the end, which real server the integration tests ran against, and the
    figures tests reported."""
    corpus = [(source, s) for source, s in _fresh_loads if Path(source).is_relative_to(CORPUS)]
    if corpus:  # each is a wipe + load the session paid for: the suite's costliest step
        total = sum(s for _, s in corpus)
        each = ", ".join(f"{Path(source).relative_to(CORPUS)} {s:.0f} s" for source, s in corpus)
        report(f"[loads] {len(corpus)} fresh loads of the real corpus, {total:.0f} s: {each}")
    if _figures:
        terminalreporter.section("figures reported by tests")
        for line in _figures:
            terminalreporter.write_line(line)
    if _server_versions:
        terminalreporter.write_line(
            f"chickgraph: integration tests ran against {_server_versions[0]} at "
            f"{get_settings().neo4j.effective_uri}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    settings = get_settings()
    where = settings.neo4j.uri or f"local test server, port {settings.neo4j.local.bolt_port}"
    return [f"chickgraph: Neo4j at {where}; corpus at {CORPUS}"]


# The integration modules in the order that loads the real corpus least often (a fresh load is
# 30-45 s, and every module that finds another release in the database pays one): first those
# that work on small fixtures, then those that read the 2025-11-29 corpus as loaded (each leaves
# it as a fresh load, or says it did not), then those that rewrite it. Tests do not depend on
# this order (each loads what it needs when the database holds something else); only the
# number of loads does. An integration module not listed runs before all listed ones; unit
# tests come last.
MODULE_ORDER = (
    # small fixtures, or a release of their own
    "test_bad_input", "test_cli", "test_install", "test_security", "test_serve", "test_sync",
    "test_release",
    # fixtures first, then the corpus (its last test loads it and leaves it loaded)
    "test_enrich",
    # the corpus as loaded
    "test_corpus_load", "test_queries", "test_browser", "test_vocabulary_graph", "test_bulk",
    # rewrite the corpus and leave it loaded again
    "test_dask", "test_dump_load", "test_readers_during_sync",
    # read the corpus, then load other pages
    "test_symbols",
    # kill servers and runs mid-load
    "test_faults",
)


def _module_rank(item: pytest.Item) -> tuple[int, int]:
    if "integration" not in item.path.parts:
        return (2, 0)
    stem = item.path.stem
    if stem in MODULE_ORDER:
        return (1, MODULE_ORDER.index(stem))
    return (0, 0)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Whole modules move (a module's tests and module fixtures stay together, in file order);
    the sort is stable, so the collection order decides among equals."""
    items.sort(key=_module_rank)


needs_corpus = pytest.mark.skipif(
    not CURRENT.exists(), reason=f"the shared corpus is not at {CORPUS}"
)


@pytest.fixture(scope="session")
def settings() -> Settings:
    return get_settings()


@pytest.fixture(scope="session")
def neo4j_server_version(settings: Settings) -> Iterator[str]:
    """Start the test server once per session (or use NEO4J_URI) and print its version."""
    started_here = False
    if settings.neo4j.external:
        from pipeline.load.db import server_version

        version = server_version(settings)
    else:
        started_here = neo4j_server.running_pid(settings) is None
        version = neo4j_server.start(settings, echo=lambda _m: None)
    print(f"\n[chickgraph] integration tests run against {version} at "
          f"{settings.neo4j.effective_uri}")
    assert version.startswith("Neo4j/5.26"), version
    _server_versions.append(version)
    yield version
    if started_here and not os.environ.get("CHICKGRAPH_KEEP_TEST_NEO4J"):
        neo4j_server.stop(settings)


@pytest.fixture(scope="session")
def driver(settings: Settings, neo4j_server_version: str) -> Iterator[object]:
    from pipeline.load import db

    drv = db.make_driver(settings)
    db.verify(drv, settings)
    db.apply_schema(drv, settings)
    yield drv
    drv.close()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def shared_prefect_api(prefect_harness: None, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point the test's `chickgraph` subprocesses at the harness's Prefect API.

    Without it each CLI run starts an ephemeral API of its own (~5 s here: a fresh server
    process and its SQLite migrations) before the flow does any work. Tests whose subject is
    a run (faults, bad input, secrets in the output) use this; test_cli and test_install keep
    the ephemeral default that a user gets."""
    from prefect.settings import PREFECT_API_URL

    url = str(PREFECT_API_URL.value())
    monkeypatch.setenv("PREFECT_API_URL", url)
    return url


class GraphContent:
    """Which corpus the test database holds, so the 40-s load is shared between tests."""

    def __init__(self) -> None:
        self.loaded: str | None = None


_content = GraphContent()


def load_fresh(driver: object, settings: Settings, source: Path | None) -> None:
    """Empty the database, then (optionally) ingest `source` with the real flow."""
    from pipeline.flow.flows import ingest_flow
    from pipeline.queries import graph_dump

    graph_dump.wipe(driver, settings)  # type: ignore[arg-type]
    _content.loaded = None
    if source is not None:
        started = time.perf_counter()
        summary = ingest_flow(str(source))
        assert summary.pages_failed == 0, summary.errors[:5]
        _content.loaded = str(source)
        _fresh_loads.append((str(source), time.perf_counter() - started))


def warm_up(driver: Any, settings: Settings) -> None:
    """After a restart of the server, the session's drivers (this one and the process's
    shared ones) still pool connections to the dead server: one retried read each makes them
    drop those (an auto-commit user would otherwise fail once)."""
    from pipeline.load import db

    for each in [driver, *db.shared_drivers()]:
        db.run_read(each, settings, "RETURN 1 AS ok")


def ingest(folder: Path, **kwargs: Any) -> Any:
    """One run of the real flow on `folder`."""
    from pipeline.flow.flows import ingest_flow

    return ingest_flow(str(folder), **kwargs)


def fresh_dump(driver: Any, settings: Settings, folder: Path) -> Any:
    """The graph dump of a fresh load of `folder` (the database is emptied first)."""
    from pipeline.queries import graph_dump

    load_fresh(driver, settings, folder)
    return graph_dump.dump(driver, settings)


def assert_same(first: Any, second: Any) -> None:
    """Two graph dumps are equal; otherwise say what differs."""
    assert first == second, first.difference(second)


def graph_of(driver: Any, settings: Settings, source: Path) -> Any:
    """The database holding a fresh load of `source`, loaded only if it does not already."""
    if _content.loaded != str(source):
        load_fresh(driver, settings, source)
    return driver


_reference_dumps: dict[str, Any] = {}


def reference_dump(driver: Any, settings: Settings, source: Path) -> Any:
    """The graph dump of a fresh load of `source`, made once per session: a load is a function
    of its pages, so every later fresh load of `source` dumps equal to it. Loads `source` only
    when the dump is not made yet and the database does not already hold it."""
    from pipeline.queries import graph_dump

    if str(source) not in _reference_dumps:
        _reference_dumps[str(source)] = graph_dump.dump(graph_of(driver, settings, source),
                                                        settings)
    return _reference_dumps[str(source)]


T = TypeVar("T")


def checked_in_threads(check: Callable[[T], int], items: Iterable[T], threads: int = 4) -> int:
    """The sum of `check` over `items`, run on a few threads: an exhaustive comparison of
    thousands of short queries waits on round trips, which threads overlap (the driver is
    thread-safe, each check opens its own sessions). The first failed check is raised."""
    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(check, items))


def free_port() -> int:
    """A loopback port nothing listens on (the system's pick, released again): for a server
    of a test's own, or for an address that refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def with_section(settings: Settings, section: str, **update: Any) -> Settings:
    """The settings with these fields of one section (`ingest`, `enrich`...) replaced: the
    frozen settings are copied, never changed, so the session's stay as they were."""
    part = getattr(settings, section).model_copy(update=update)
    return settings.model_copy(update={section: part})


def with_local(settings: Settings, **update: Any) -> Settings:
    """The settings with these `neo4j.local` fields replaced: a second server's home, port or
    memory, or a setting of its conf."""
    return with_section(settings, "neo4j",
                        local=settings.neo4j.local.model_copy(update=update))


def flow_reads(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Settings:
    """Until the test ends, the flow and its tasks run on `settings`: each of them reads the
    settings when it runs (`flows.get_settings`), the test's own calls keep the session's."""
    from pipeline.flow import flows

    monkeypatch.setattr(flows, "get_settings", lambda: settings)
    return settings


def mark_loaded(source: Path | None) -> None:
    """A test that left the graph equal to a fresh load of `source` (and proved it) says so;
    None: the graph is being changed, do not reuse it."""
    _content.loaded = None if source is None else str(source)


@pytest.fixture
def empty_graph(driver: object, settings: Settings, prefect_harness: None) -> object:
    """An empty database; whatever the test leaves is not reused."""
    load_fresh(driver, settings, None)
    yield driver
    _content.loaded = None


@pytest.fixture
def current_graph(driver: object, settings: Settings, prefect_harness: None) -> object:
    """The 2025-11-29 corpus loaded by the flow; tests must not modify it."""
    if not CURRENT.exists():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    return graph_of(driver, settings, CURRENT)


def chunk_plans(driver: Any, settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """The plan the server would make now for each statement of a chunk transaction
    (pipeline/load/writer.py: CHUNK_FILES), planned afresh (`replan=force` in place of the
    files' `replan=skip`): its operators in pre-order, each seek with what it seeks (other
    operators' details may list the same items in another order from one plan to the next)."""
    from pipeline.load import cypher_files, writer

    def operators(plan: dict[str, Any]) -> Iterator[tuple[str, str]]:
        operator = plan["operatorType"].split("@")[0]
        yield operator, plan["args"].get("Details", "") if "Seek" in operator else ""
        for child in plan.get("children", []):
            yield from operators(child)

    plans = {}
    with driver.session(database=settings.neo4j.database) as session:
        for name in writer.CHUNK_FILES:
            text = cypher_files.load(name).replace("CYPHER replan=skip", "CYPHER replan=force")
            assert "replan=force" in text, name
            plans[name] = list(operators(session.run("EXPLAIN " + text).consume().plan))
    return plans


def scans(plans: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    """The operators of `chunk_plans` that read more than the nodes they look for."""
    found = {name: [op for op, _ in ops if "Scan" in op] for name, ops in plans.items()}
    return {name: ops for name, ops in found.items() if ops}
