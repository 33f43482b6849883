"""`chickgraph enrich SPECIES`: obtain an annotation database and apply it to the graph."""

from __future__ import annotations

import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from pipeline.cli.output import echo, out, print_rows
from pipeline.settings import get_settings

if TYPE_CHECKING:
    from neo4j import Driver

    from pipeline.enrich.table import Table

T = TypeVar("T")


def enrich_cmd(
    species: Annotated[str | None, typer.Argument(
        help="Species or database name from config/enrichment.yaml, e.g. human.")] = None,
    from_file: Annotated[Path | None, typer.Option(
        "--from", help="Use this copy (the .deb package or the .sqlite file) instead of "
        "downloading with apt-get; it replaces the cached one.")] = None,
    refresh: Annotated[bool, typer.Option(
        "--refresh", help="Download again even if a copy is cached (a newer package).")] = False,
    fetch_only: Annotated[bool, typer.Option(
        "--fetch-only", help="Obtain the database into the state folder; leave the graph.")
    ] = False,
    remove: Annotated[bool, typer.Option(
        "--remove", help="Remove this enrichment from the graph (values, links, record).")
    ] = False,
    list_: Annotated[bool, typer.Option(
        "--list", help="The databases of the enrichment table: cached copy, its source date.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", help="Seconds to wait for a running ingest's lock.")] = 0,
) -> None:
    """Annotate ortholog genes from a curated database (human: Bioconductor's org.Hs.eg.db).

    Obtains the database with the system's package tools (`apt-get download`, `dpkg-deb -x`)
    into enrich.dir (cached; --from FILE where apt-get is missing), then writes symbol, name,
    aliases, Ensembl and OMIM ids onto the species' ortholog genes as `ann_*` properties
    (OMIM ids also as OMIM_ANNOTATED links to existing OmimEntry nodes) and prints the
    ortholog consistency report. Re-running changes nothing; a newer database replaces the
    values exactly; every later ingest re-applies it. Page-derived data is never changed.
    """
    from pipeline.enrich import apply, obtain

    settings = get_settings()
    entries = apply.table(settings)
    if list_:
        _list(entries)
        return
    if species is None:
        raise typer.BadParameter("give a SPECIES (e.g. human) or --list")
    database = entries.find(species)
    if remove:
        _locked(lambda driver: apply.remove(driver, settings, database), wait)
        echo(f"enrichment {database.key} removed from the graph")
        return
    local = obtain.obtain(database, settings.enrich.dir, from_file=from_file, refresh=refresh)
    echo(f"{database.key}: {local.path} ({local.origin}; package {local.package_version or '?'}"
         f", source date {local.source_date})")
    if fetch_only:
        if as_json:
            sys.stdout.write(local.model_dump_json(indent=2) + "\n")
        return
    report = _locked(lambda driver: apply.apply(driver, settings, database, local), wait)
    if as_json:
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")
        return
    echo(report.headline())
    if report.inconsistent:
        print_rows([p.model_dump() for p in report.inconsistent], "table")


def _locked(work: Callable[[Driver], T], wait: float) -> T:
    """Run `work(driver)` holding the ingest lock: an enrichment never interleaves with a run
    that is deleting and re-creating the genes it annotates."""
    from pipeline.load import db, lock

    settings = get_settings()
    run_id = f"enrich-{uuid.uuid4()}"
    with db.connect(settings) as driver:
        db.apply_schema(driver, settings)
        lock.acquire(driver, settings, run_id, "chickgraph enrich", wait_s=wait)
        try:
            return work(driver)
        finally:
            lock.release(driver, settings, run_id)


def _list(entries: Table) -> None:
    from pipeline.enrich import obtain

    settings = get_settings()
    rows = []
    for database in entries.databases:
        local = obtain.cached(database, settings.enrich.dir)
        rows.append({
            "database": database.key, "species": database.species,
            "taxon_id": database.taxon_id, "package": database.debian_package,
            "cached": str(local.path) if local else None,
            "source_date": local.source_date if local else None})
    print_rows(rows, "table")
    out.print(f"state folder: {settings.enrich.dir}", markup=False, highlight=False)
