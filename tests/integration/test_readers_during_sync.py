"""Readers during a sync: 4 clients run the named queries (managed read transactions, the
driver retries what Neo4j calls transient) while a sync 2025-11-29 -> 2025-11-24 runs (2,653
pages rewritten, 13 deleted, garbage collected), and while a full reload of 2025-11-29 runs.
No client may see an error or a half-written page (after every second answer a client runs a
checker query that asserts page-level invariants on what it reads), and each ingest must end
with the graph of a fresh load of its release. Loopback only; bounded in queries per client
and in seconds.

Neo4j reads at read-committed isolation, so one checker query can match a node that a chunk's
commit deletes while it runs; such a node reads as a violation. Every violator is re-read in a
new transaction: one that is gone was deleted under the reader (counted as an artefact and
reported), one that is still there is a real half-written page (a failure). A probe node without
gene or stage shows that the re-read keeps real violations.

The full reload (every page of the release deleted and written again, because the graph's
vocabulary fingerprint is stale) ending equal to a fresh load is also the corpus-level proof
that a full reload of the same release rebuilds the same graph (test_corpus_load had a copy of
it without readers: one more 40-60 s load of the corpus per CI run).

Prints reader p50/p95 on an idle graph, during the sync and during the full reload, and how
long each ingest took with the readers attached. (The same sync without readers is not run
here: tests/integration/test_release.py proves it, both ways, against fresh loads.) The fresh
loads compared with are the session's (`reference_dump`): in a whole run, earlier modules have
loaded 2025-11-29 and made its dump; the fresh load of 2025-11-24 is made here, after the sync
(no other module needs it), so the corpus is never loaded twice for this test.
"""

from __future__ import annotations

import statistics
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from neo4j import Driver, ManagedTransaction, Session

from pipeline.load import cypher_files, db
from pipeline.queries import graph_dump, named
from tests.conftest import (
    CURRENT,
    PREVIOUS,
    graph_of,
    mark_loaded,
    needs_corpus,
    reference_dump,
    report,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, needs_corpus]

CLIENTS = 4
MAX_QUERIES = 3000  # per client and phase
MAX_SECONDS = 600.0
THINK_S = 0.2  # a client pauses between queries, as a person or a notebook would
# 2025-11-29 -> 2025-11-24: loaded (changed), unchanged, deleted, failed, full reload
SYNC_COUNTS = (2653, 64, 13, 0, False)
CHECK_EVERY = 3  # the checker scans every image: after every answer it would double the load
RANGE = {"from_stage": "HH10", "to_stage": "HH20"}
WORKLOAD: list[tuple[str, dict[str, Any]]] = [
    ("gene-expression", {"symbol": "ALAS2"}),
    ("genes-in-tissue", {"structure": "heart", **RANGE}),
    ("orthologs", {"symbol": "ALAS2", "species": "human"}),
    ("ortholog-genes-in-tissue", {"structure": "heart", "species": "human", **RANGE}),
    ("chick-expression-of", {"id": "ALAS2"}),
    ("coexpressed", {"symbol": "ALAS2"}),
    ("stage-atlas", {"stage": "HH15"}),
    ("evidence", {"symbol": "ALAS2", "structure": "Blood Islands"}),
    ("conserved-orthologs", {"structure": "heart", "species": "human", **RANGE}),
]


@dataclass
class Readers:
    """CLIENTS threads, each with its own session, until stopped or bounded."""

    driver: Driver
    database: str
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    violations: list[dict[str, list[str]]] = field(default_factory=list)
    checks: int = 0
    artefacts: int = 0  # violators gone when re-read: deleted under the reader
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def run_client(self, offset: int, limit: int) -> None:
        queries = [(named.get(n).text, named.bind(named.get(n), p)) for n, p in WORKLOAD]
        deadline = time.monotonic() + MAX_SECONDS
        with self.driver.session(database=self.database) as session:
            for i in range(limit):
                if self.stop.is_set() or time.monotonic() > deadline:
                    return
                text, params = queries[(offset + i) % len(queries)]
                try:
                    started = time.perf_counter()
                    session.execute_read(_read_all, text, params)
                    elapsed = time.perf_counter() - started
                    checked = i % CHECK_EVERY == 0
                    real, gone = check_pages(session) if checked else ({}, 0)
                except Exception as exc:  # any error a client sees is a failure
                    with self.lock:
                        self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                with self.lock:
                    self.latencies.append(elapsed)
                    self.checks += checked
                    self.artefacts += gone
                    if real:
                        self.violations.append(real)
                time.sleep(THINK_S)

    def start(self, limit: int = MAX_QUERIES) -> list[threading.Thread]:
        threads = [threading.Thread(target=self.run_client, args=(n, limit), daemon=True)
                   for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        return threads

    def finish(self, threads: list[threading.Thread], stop: bool = True) -> None:
        """Stop the clients (or, with `stop` False, let each run its `limit`) and join."""
        if stop:
            self.stop.set()
        for thread in threads:
            thread.join(timeout=MAX_SECONDS)
        assert not any(t.is_alive() for t in threads), "a reader did not stop"


def _read_all(tx: ManagedTransaction, text: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    return [record.data() for record in tx.run(text, params)]  # type: ignore[arg-type]


def check_pages(session: Session) -> tuple[dict[str, list[str]], int]:
    """The page invariants' real violators by invariant (still there when re-read in a new
    transaction), and how many violators were gone by then (read-committed artefacts)."""
    seen = session.execute_read(_read_all, cypher_files.load("admin/page_invariants"), {})[0]
    real: dict[str, list[str]] = {}
    gone = 0
    recheck = cypher_files.load("admin/page_invariants_recheck")
    for invariant, violators in seen.items():
        if not violators:
            continue
        still = [row["id"] for row in session.execute_read(_read_all, recheck,
                                                           {"seen": violators})]
        gone += len(violators) - len(still)
        if still:
            real[invariant] = still
    return real, gone


def percentiles(values: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(values, n=20, method="inclusive")
    return statistics.median(values) * 1000, cuts[18] * 1000


def timed_ingest(source: str, readers: Readers) -> tuple[Any, float, Readers]:
    from pipeline.flow.flows import ingest_flow

    threads = readers.start()
    time.sleep(0.5)  # clients connected before the first write
    started = time.perf_counter()
    summary = ingest_flow(source)
    seconds = time.perf_counter() - started
    readers.finish(threads)
    return summary, seconds, readers


def assert_clean(readers: Readers, phase: str) -> None:
    assert not readers.errors, (phase, len(readers.errors), readers.errors[:5])
    assert not readers.violations, (phase, readers.violations[:5])
    assert readers.checks >= CLIENTS, f"{phase}: the readers ran only {readers.checks} queries"


def test_readers_during_sync_and_full_reload(driver: Any, settings: Any,
                                             prefect_harness: None) -> None:
    database = settings.neo4j.database
    reference = reference_dump(driver, settings, CURRENT)  # before the graph changes
    graph_of(driver, settings, CURRENT)
    mark_loaded(None)

    Readers(driver, database).run_client(0, len(WORKLOAD))  # plans compiled before timing
    idle = Readers(driver, database)
    idle.finish(idle.start(limit=40), stop=False)  # 40 per client: 160 answers on an idle graph
    assert_clean(idle, "idle")
    assert idle.artefacts == 0, "violators on an idle graph were gone when re-read"

    synced, sync_readers_s, during = timed_ingest(str(PREVIOUS), Readers(driver, database))
    assert (synced.pages_loaded, synced.pages_unchanged, synced.pages_deleted,
            synced.pages_failed, synced.full_reload) == SYNC_COUNTS, synced
    assert_clean(during, "sync")
    after = graph_dump.dump(driver, settings)
    # after the sync's dump: made here, the fresh load of 2025-11-24 leaves the graph at that
    # release, from which the full reload below is as full as from the synced one
    previous = reference_dump(driver, settings, PREVIOUS)
    assert after == previous, after.difference(previous)

    db.run_write(driver, settings, cypher_files.load("load/meta_set"), {"fingerprint": "stale"})
    reloaded, reload_s, full = timed_ingest(str(CURRENT), Readers(driver, database))
    assert reloaded.full_reload and (reloaded.pages_loaded, reloaded.pages_failed) == (2730, 0)
    assert_clean(full, "full reload")
    after = graph_dump.dump(driver, settings)
    assert after == reference, after.difference(reference)

    # the re-read keeps a real violation: an image committed without gene or stage
    probe = {"props": {"key": "probe:readers-test"}}
    db.run_write(driver, settings, "CREATE (i:Image) SET i = $props", probe)
    with driver.session(database=database) as session:
        real, gone = check_pages(session)
    db.run_write(driver, settings, "MATCH (i:Image {key: $props.key}) DELETE i", probe)
    assert set(real) == {"images_without_gene", "images_without_one_stage"} and gone == 0, real
    mark_loaded(CURRENT)

    rows = [("idle graph", idle, None), ("during the sync", during, sync_readers_s),
            ("during a full reload", full, reload_s)]
    report(f"[readers] {CLIENTS} clients, named queries + page-invariant checker, "
           f"{THINK_S * 1000:.0f} ms think time")
    report("| phase | reader answers | p50 ms | p95 ms | ingest s | checks | artefacts |")
    report("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for phase, readers, seconds in rows:
        p50, p95 = percentiles(readers.latencies)
        report(f"| {phase} | {len(readers.latencies)} | {p50:.1f} | {p95:.1f} | "
               f"{'' if seconds is None else f'{seconds:.1f}'} | {readers.checks} | "
               f"{readers.artefacts} |")
    report(f"[readers] sync 2025-11-29 -> 2025-11-24 ({synced.pages_loaded} pages loaded, "
           f"{synced.pages_deleted} deleted) with readers: {sync_readers_s:.1f} s; "
           f"full reload with readers: {reload_s:.1f} s")
