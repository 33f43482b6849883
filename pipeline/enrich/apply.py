"""Apply an annotation database to the graph (load), with sync semantics, and undo it.

Applying computes every `ann_*` property of every target gene from the database and writes
them in one transaction, removing what the database no longer says: running it twice changes
nothing, and a newer database replaces the old values exactly. An ingest may delete an
ortholog Gene (nothing names it any more) and create it again later without its annotation,
so the flow re-applies every applied database at the end of each run (`reapply`).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from neo4j import Driver, ManagedTransaction

from pipeline.enrich import annotations, obtain
from pipeline.enrich.report import ConsistencyPair, EnrichmentReport
from pipeline.enrich.table import Database, Table, load_table
from pipeline.errors import EnrichmentError
from pipeline.load import cypher_files, db
from pipeline.load.params import for_driver, timestamp
from pipeline.queries import named
from pipeline.settings import Settings

CONSISTENCY_QUERY = "ortholog-consistency"


def table(settings: Settings) -> Table:
    return load_table(settings.enrich.table)


def _write(tx: ManagedTransaction, database: Database, rows: list[dict[str, Any]],
           props: dict[str, Any]) -> None:
    cleared = annotations.cleared_props()
    keys = [row["key"] for row in rows]
    tx.run(cypher_files.load("enrich/clear_others"),
           for_driver(source=database.key, keys=keys, cleared=cleared)).consume()
    links = [{"key": row["key"], "omim_ids": row["omim_ids"]} for row in rows]
    tx.run(cypher_files.load("enrich/annotate"), for_driver(rows=rows)).consume()
    tx.run(cypher_files.load("enrich/omim_unlink"), for_driver(rows=links)).consume()
    tx.run(cypher_files.load("enrich/omim_link"), for_driver(rows=links)).consume()
    tx.run(cypher_files.load("enrich/review_flags"), source=database.key).consume()
    tx.run(cypher_files.load("enrich/meta_set"), key=database.key, props=props).consume()


def apply(driver: Driver, settings: Settings, database: Database,
          local: obtain.LocalDatabase) -> EnrichmentReport:
    """Write the database's annotations onto its species' ortholog genes; report."""
    targets = [(r["key"], r["ncbi_id"]) for r in db.run_read(
        driver, settings, cypher_files.load("enrich/targets"), {"taxon_id": database.taxon_id})]
    try:
        found = annotations.read(database, local.path, (gene_id for _, gene_id in targets))
    except sqlite3.Error as exc:  # a statement of the table, or a damaged file
        raise EnrichmentError(f"{local.path}: cannot read as {database.key}: {exc}") from exc
    rows = annotations.gene_rows(database, targets, found)
    missing = [gene_id for _, gene_id in targets if gene_id not in found]
    not_found = sorted(set(missing), key=_numeric)
    report = EnrichmentReport(
        key=database.key, species=database.species, taxon_id=database.taxon_id,
        source_date=local.source_date, source_name=local.source_name,
        package_version=local.package_version,
        fingerprint=annotations.fingerprint(database, local),
        genes=len(targets), annotated=len(targets) - len(missing), not_found=not_found)
    props: dict[str, Any] = {
        "species": database.species, "taxon_id": database.taxon_id,
        "debian_package": database.debian_package, "package_version": local.package_version,
        "source_date": local.source_date, "source_name": local.source_name,
        "fingerprint": report.fingerprint, "genes": report.genes,
        "annotated": report.annotated, "not_found": len(not_found),
        "applied_at": timestamp(),
    }
    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(_write, database, rows, props)
    links = db.run_read(driver, settings, cypher_files.load("enrich/omim_count"),
                        {"source": database.key})
    report.omim_links = links[0]["links"] if links else 0
    report.inconsistent = consistency(driver, settings, database)
    return report


def _numeric(gene_id: str) -> tuple[int, str]:
    return (int(gene_id), gene_id) if gene_id.isdigit() else (1 << 62, gene_id)


def consistency(driver: Driver, settings: Settings, database: Database) -> list[ConsistencyPair]:
    """The named query `ortholog-consistency` for the database's species."""
    rows = named.run_raw(CONSISTENCY_QUERY, settings, driver,
                         species=database.taxon_id, limit=1_000_000)
    return [ConsistencyPair.model_validate(row) for row in rows]


def remove(driver: Driver, settings: Settings, database: Database) -> None:
    """Undo an applied database: the graph is again exactly what the pages give."""
    cleared = annotations.cleared_props()

    def work(tx: ManagedTransaction) -> None:
        for statement in cypher_files.statements("enrich/remove"):
            tx.run(statement, source=database.key, cleared=cleared).consume()

    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(work)


def applied(driver: Driver, settings: Settings) -> list[dict[str, Any]]:
    """The (:Enrichment) records of the graph: key and properties."""
    return db.run_read(driver, settings, cypher_files.load("enrich/meta_list"))


def refresh_review_flags(driver: Driver, settings: Settings, key: str) -> None:
    """The `ann_review` flags of an applied database, from the graph alone: what an ingest
    must do when it cannot re-apply the database (its copy gone or its entry removed), or
    chick symbols and orthologies changed since would be missed by `ortholog-consistency`."""
    db.run_write(driver, settings, cypher_files.load("enrich/review_flags"), {"source": key})


def reapply(driver: Driver, settings: Settings) -> list[EnrichmentReport]:
    """At the end of an ingest: every database applied to the graph or listed in
    `enrich.species`, from its cached copy (a listed one is obtained when not cached).

    Nothing applied and nothing listed: nothing is read or written, so a graph without the
    enrichment stays exactly the page-derived graph. A database that cannot be had is
    reported, not fatal: the pages were loaded and the run stands; its genes keep their
    values, and their review flags are derived anew from the graph.
    """
    present = [row["key"] for row in applied(driver, settings)]
    if not present and not settings.enrich.species:
        return []
    try:
        entries = table(settings)
    except EnrichmentError as exc:
        reports = [EnrichmentReport(key=key, species="?", taxon_id=0, error=str(exc))
                   for key in present]
    else:
        reports = _apply_each(driver, settings, entries, present)
    for report in reports:  # not re-applied: the flags, which need only the graph, anew
        if report.error is not None and report.key in present:
            refresh_review_flags(driver, settings, report.key)
    return reports


def _apply_each(driver: Driver, settings: Settings, entries: Table, present: list[str]
                ) -> list[EnrichmentReport]:
    """`reapply`'s databases (applied, then listed) from their cached copies, one report each;
    a database that cannot be had is an error report."""
    chosen: dict[str, tuple[Database | None, bool]] = {}
    for key in present:
        chosen[key] = (entries.by_key(key), False)
    for name in settings.enrich.species:
        database = entries.find(name)
        chosen[database.key] = (database, True)
    reports = []
    for key, (database, listed) in chosen.items():
        if database is None:
            reports.append(EnrichmentReport(
                key=key, species="?", taxon_id=0,
                error=f"{settings.enrich.table}: no entry {key}; it was applied before: "
                      f"`chickgraph enrich {key} --remove` after restoring it, or re-add it"))
            continue
        try:
            local = obtain.cached(database, settings.enrich.dir)
            if local is None and listed:
                local = obtain.obtain(database, settings.enrich.dir)
            if local is None:
                raise EnrichmentError(
                    f"no obtained copy in {obtain.folder(database, settings.enrich.dir)}: "
                    f"run `chickgraph enrich {database.species}` (genes new in this run are "
                    "not annotated yet)")
            reports.append(apply(driver, settings, database, local))
        except EnrichmentError as exc:
            reports.append(EnrichmentReport(key=key, species=database.species,
                                            taxon_id=database.taxon_id, error=str(exc)))
    return reports
