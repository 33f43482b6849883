"""Load: records -> batched Cypher. No YAML here; every value travels as a parameter.

A chunk of pages is written in ONE managed write transaction: its old contribution is
deleted, the new one created, and the Page nodes with their content hashes are written
last. A crash or a transient error therefore leaves each page either fully old or fully
new, never half-written, and the driver retries the whole unit of work.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from neo4j import Driver, ManagedTransaction, RoutingControl

from pipeline.load import cypher_files, db
from pipeline.load.rows import CHUNK_STATEMENTS, ChunkRows, vocabulary_rows
from pipeline.settings import Settings
from pipeline.transform.records import Vocabularies


def _write_chunk(tx: ManagedTransaction, chunk: ChunkRows, delete_paths: list[str]) -> None:
    if delete_paths:
        tx.run(cypher_files.load("load/delete_pages"), paths=delete_paths).consume()
    for name in CHUNK_STATEMENTS:
        params = chunk.rows[name]
        if params:
            tx.run(cypher_files.load(f"load/{name}"), rows=params).consume()


def write_chunk(
    driver: Driver, settings: Settings, chunk: ChunkRows, delete_paths: Iterable[str] | None = None
) -> None:
    """Replace the chunk's pages (and delete `delete_paths`) in one write transaction."""
    paths = sorted(set(chunk.paths) | set(chunk.delete_paths) | set(delete_paths or ()))
    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(_write_chunk, chunk, paths)


def delete_pages(driver: Driver, settings: Settings, paths: Sequence[str]) -> None:
    """Remove pages that left the source (their shared nodes go in `collect_garbage`)."""
    if paths:
        write_chunk(driver, settings, ChunkRows([], {n: [] for n in CHUNK_STATEMENTS}), paths)


def _run_statement(tx: ManagedTransaction, statement: str) -> None:
    tx.run(statement).consume()


def collect_garbage(driver: Driver, settings: Settings) -> None:
    """Drop shared nodes nothing references, then recompute derived ortholog ids."""
    with driver.session(database=settings.neo4j.database) as session:
        for statement in cypher_files.statements("load/gc"):
            session.execute_write(_run_statement, statement)
        for statement in cypher_files.statements("load/ortholog_ids"):
            session.execute_write(_run_statement, statement)
    derive_phenotypes(driver, settings)


def derive_phenotypes(driver: Driver, settings: Settings) -> None:
    """Ortholog gene -> OmimEntry / ProcessTerm, recomputed from the rows (after gc)."""
    with driver.session(database=settings.neo4j.database) as session:
        for statement in cypher_files.statements("load/phenotype_links"):
            session.execute_write(_run_statement, statement)


def write_vocabulary(driver: Driver, settings: Settings, vocab: Vocabularies) -> None:
    """Rewrite the curated vocabularies in one transaction (idempotent)."""
    rows = vocabulary_rows(vocab)

    def work(tx: ManagedTransaction) -> None:
        for statement in cypher_files.statements("load/vocab_reset"):
            tx.run(statement).consume()
        for name, params in rows.items():
            tx.run(cypher_files.load(f"load/{name}"), rows=params).consume()

    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(work)


def vocabulary_fingerprint(driver: Driver, settings: Settings) -> str | None:
    records, _, _ = db.run_managed(driver, settings, cypher_files.load("load/meta_get"),
                                   routing=RoutingControl.READ)
    return records[0]["fingerprint"] if records else None


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


def write_release(driver: Driver, settings: Settings, rows: dict[str, list[dict[str, Any]]]
                  ) -> None:
    """Remove what the data files contributed and write it again, in ONE transaction: the
    result equals a fresh load by construction, and a crash leaves the old state."""

    def work(tx: ManagedTransaction) -> None:
        for statement in cypher_files.statements("load/release_reset"):
            tx.run(statement).consume()
        for name in RELEASE_STATEMENTS:
            if rows[name]:
                tx.run(cypher_files.load(f"load/{name}"), rows=rows[name]).consume()
        tx.run(cypher_files.load("load/release_unlisted")).consume()

    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(work)
