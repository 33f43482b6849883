"""Load: records -> batched Cypher. No YAML here; every value travels as a parameter.

A chunk of pages is written in ONE managed write transaction: its old contribution is
detached, the new one created, the Page nodes with their content hashes written last and the
detached nodes deleted. A crash or a transient error therefore leaves each page either fully
old or fully new, never half-written, and the driver retries the whole unit of work.

The statements of that transaction (`CHUNK_FILES`) begin with `CYPHER replan=skip`: Neo4j keeps
the plan it made first instead of planning again when the statistics change. A load changes
them past the divergence threshold at every `dbms.cypher.min_replan_interval` (10 s), so each
statement was planned two or three times a load, and each new plan compiled twice (then with
generated expression code after 10 runs): a tenth of the server's time in a cold load of the
corpus, by a Flight Recorder profile. Their plans are unique-index and element-id seeks
whatever the statistics (tests/integration/test_sync.py compares them on an empty database and
a loaded one), so the first plan is as good as any later one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from neo4j import Driver, ManagedTransaction, RoutingControl

from pipeline.load import cypher_files, db, lock
from pipeline.load.params import for_driver
from pipeline.load.rows import CHUNK_STATEMENTS, ChunkRows, statement_params, vocabulary_rows
from pipeline.settings import Settings
from pipeline.transform.records import Vocabularies

Rows = dict[str, list[dict[str, Any]]]

# Every statement a chunk transaction runs (`_write_chunk`, `lock.mark_chunk`): planned once
CHUNK_FILES = (
    *lock.CHUNK_FILES, "load/detach_pages",
    *(f"load/{name}" for name in CHUNK_STATEMENTS),
    "load/keep_site_ranks", "load/delete_detached",
)


def _run_file(tx: ManagedTransaction, name: str) -> None:
    """Every statement of a multi-statement file, in order, inside the caller's transaction."""
    for statement in cypher_files.statements(name):
        tx.run(statement).consume()


def _run_rows(tx: ManagedTransaction, names: Iterable[str], rows: Rows) -> None:
    """Each named `UNWIND $rows` statement, in the given order; one with no rows would do
    nothing, so it is not sent.

    Each is sent without waiting for the one before to finish, and all are consumed at the
    end: the server runs them in the order sent (Bolt queues them on the connection), and the
    client packs statement n + 1 while the server runs statement n, instead of the server
    waiting for it. A failed statement fails the next `run` or the consume, so the
    transaction still fails as a whole."""
    results = [tx.run(cypher_files.load(f"load/{name}"),
                      for_driver(statement_params(name, rows[name])))
               for name in names if rows[name]]
    for result in results:
        result.consume()


def _write_chunk(tx: ManagedTransaction, chunk: ChunkRows, delete_paths: list[str],
                 run_id: str | None) -> None:
    """The old pages are detached first and deleted last: deleted nodes would slow every
    index seek of the statements between (cypher/load/detach_pages.cypher)."""
    if run_id is not None:
        lock.mark_chunk(tx, run_id)
    detached: list[str] = []
    ranks: list[dict[str, Any]] = []
    if delete_paths:
        found = tx.run(cypher_files.load("load/detach_pages"),
                       for_driver(paths=delete_paths)).single(strict=True)
        detached, ranks = found["detached"], found["ranks"]
    _run_rows(tx, CHUNK_STATEMENTS, chunk.rows)
    if ranks:
        tx.run(cypher_files.load("load/keep_site_ranks"), for_driver(rows=ranks)).consume()
    if detached:
        tx.run(cypher_files.load("load/delete_detached"), for_driver(ids=detached)).consume()


def write_chunk(
    driver: Driver, settings: Settings, chunk: ChunkRows, delete_paths: Iterable[str] | None = None,
    run_id: str | None = None,
) -> None:
    """Replace the chunk's pages (and delete `delete_paths`) in one write transaction; with
    `run_id`, the same transaction marks garbage collection pending and beats the ingest
    lock's heartbeat (`lock.mark_chunk`)."""
    paths = sorted(set(chunk.paths) | set(chunk.delete_paths) | set(delete_paths or ()))
    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(_write_chunk, chunk, paths, run_id)


def delete_pages(driver: Driver, settings: Settings, paths: Sequence[str]) -> None:
    """Remove pages that left the source (their shared nodes go in `collect_garbage`), as
    many per transaction as a chunk writes: the 65,520 pages a 1x release leaves of a 25x
    graph, in one transaction, ran into Neo4j's transaction memory limit (1.4 GiB of a 2 GB
    heap) after four minutes. Each page still goes whole; a crash between batches leaves
    pages that the next run finds gone from the source and deletes."""
    size = settings.ingest.chunk_size
    for start in range(0, len(paths), size):
        write_chunk(driver, settings, ChunkRows([], {n: [] for n in CHUNK_STATEMENTS}),
                    paths[start:start + size])


def _run_statement(tx: ManagedTransaction, statement: str) -> None:
    tx.run(statement).consume()


def _run_files_statement_by_statement(driver: Driver, settings: Settings, *names: str) -> None:
    """Each statement of the files in a transaction of its own: every one leaves a consistent
    graph, and a retry repeats one statement, not the whole sweep."""
    with driver.session(database=settings.neo4j.database) as session:
        for name in names:
            for statement in cypher_files.statements(name):
                session.execute_write(_run_statement, statement)


def collect_garbage(driver: Driver, settings: Settings) -> None:
    """Drop shared nodes nothing references, then recompute what is derived from the rest:
    ortholog ids, phenotype links, expression sites."""
    _run_files_statement_by_statement(driver, settings, "load/gc", "load/ortholog_ids")
    derive_phenotypes(driver, settings)
    derive_sites(driver, settings)


def derive_phenotypes(driver: Driver, settings: Settings) -> None:
    """Ortholog gene -> OmimEntry / ProcessTerm, recomputed from the rows (after gc)."""
    _run_files_statement_by_statement(driver, settings, "load/phenotype_links")


def derive_sites(driver: Driver, settings: Settings) -> None:
    """(:Site) gene and image-count lists and Gene.site_rank, recomputed from the EXPRESSED_IN
    edges in one transaction: a reader never sees lists of ranks that name other genes than
    they meant (between the sync's chunks and this, it sees the lists as they were, never a
    wrong gene)."""
    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(_run_file, "load/sites")


def write_vocabulary(driver: Driver, settings: Settings, vocab: Vocabularies) -> None:
    """Rewrite the curated vocabularies in one transaction (idempotent)."""
    rows = vocabulary_rows(vocab)

    def work(tx: ManagedTransaction) -> None:
        _run_file(tx, "load/vocab_reset")
        _run_rows(tx, rows.keys(), rows)

    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(work)


def vocabulary_fingerprint(driver: Driver, settings: Settings) -> str | None:
    records, _, _ = db.run_managed(driver, settings, cypher_files.load("load/meta_get"),
                                   routing=RoutingControl.READ)
    return records[0]["fingerprint"] if records else None


def prepare_for_replanning(driver: Driver, settings: Settings) -> None:
    """Index samples and query plans made anew for the graph as this run left it (see
    load/replan.cypher). In a managed transaction like the pipeline's other statements: it
    is retried on a transient error and chained by the same bookmarks (the procedure
    allows an explicit transaction)."""
    db.run_managed(driver, settings, cypher_files.load("load/replan"))


def set_vocabulary_fingerprint(driver: Driver, settings: Settings, fingerprint: str) -> None:
    db.run_managed(driver, settings, cypher_files.load("load/meta_set"),
                   {"fingerprint": fingerprint})


# The order of the release's statements: files first, then what they contribute.
RELEASE_STATEMENTS = ("release_data_files", "release_publications", "release_facets",
                      "release_facet_links", "release_citations")


def release_state(driver: Driver, settings: Settings, deleted_paths: Sequence[str]
                  ) -> dict[str, Any]:
    """What the release step plans from: the stored data-file hashes, the chicken genes and
    source names (leaving out the pages about to be deleted), unsplit phenotype rows."""
    return db.run_read(driver, settings, cypher_files.load("load/release_state"),
                       {"deleted": list(deleted_paths)})[0]


def write_release(driver: Driver, settings: Settings, rows: Rows) -> None:
    """Remove what the data files contributed and write it again, in ONE transaction: the
    result equals a fresh load by construction, and a crash leaves the old state."""

    def work(tx: ManagedTransaction) -> None:
        _run_file(tx, "load/release_reset")
        _run_rows(tx, RELEASE_STATEMENTS, rows)
        tx.run(cypher_files.load("load/release_unlisted")).consume()

    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(work)
