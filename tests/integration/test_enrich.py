"""Enrichment against the real Neo4j: sync semantics on small pages with databases the tests
make (org.Hs.eg.db-shaped), re-application after ingests, OMIM links, and the real
org.Hs.eg.db on the 2025-11-29 corpus (answers computed from the YAML pages and the SQLite
file directly, never from the graph)."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.enrich import apply, obtain
from pipeline.enrich.table import Database
from pipeline.load import db
from pipeline.queries import graph_dump, named
from pipeline.settings import Settings
from tests.conftest import (
    CURRENT,
    FIXTURES,
    flow_reads,
    ingest,
    load_fresh,
    mark_loaded,
    reference_dump,
    with_section,
)
from tests.integration.test_cli import cli
from tests.orgdb import Gene, make_orgdb

pytestmark = pytest.mark.integration

ALL = 100_000
GENEA = "NCBITaxon:9606/NCBIGene:5001"
GENEX = "NCBITaxon:9606/NCBIGene:5002"
# GENEA's human ortholog 5001 is GENEA; 5002 (ortholog of GENEB and GENEC) is GENEX, with
# GENEB as a (lower-case) alias: GENEB is consistent, GENEC is a pair to review.
V1 = {"5001": Gene("GENEA", "gene A", ["A-1"], ["ENSG00000000001"], ["100001", "100002"]),
      "5002": Gene("GENEX", "gene X", ["geneb"], [], ["100003"]),
      "6001": Gene("MOUSEONE", "not a target: a mouse id in a human database")}
# a newer release: 5001 renamed and re-linked, aliases gone; 5002 withdrawn
V2 = {"5001": Gene("GENEA", "gene A, renamed", [], ["ENSG00000000001", "ENSG00000000009"],
                   ["100004"])}


def ann_props(driver: Any, settings: Settings) -> dict[str, dict[str, Any]]:
    rows = db.run_read(driver, settings, "MATCH (o:Gene) RETURN o.key AS key, properties(o) AS p")
    return {r["key"]: {k: v for k, v in r["p"].items() if k.startswith("ann_")} for r in rows
            if any(k.startswith("ann_") for k in r["p"])}


def omim_links(driver: Any, settings: Settings) -> set[tuple[str, str]]:
    rows = db.run_read(driver, settings,
                       "MATCH (o:Gene)-[:OMIM_ANNOTATED]->(m:OmimEntry) "
                       "RETURN o.key AS key, m.mim_id AS mim")
    return {(r["key"], r["mim"]) for r in rows}


def omim_entries(driver: Any, settings: Settings, *mims: str) -> None:
    """What issue 13's pages will create; this branch has none, so the test makes them."""
    db.run_write(driver, settings, "UNWIND $mims AS m CREATE (:OmimEntry {mim_id: m})",
                 {"mims": list(mims)})


@pytest.fixture
def human() -> Database:
    from pipeline.settings import get_settings

    return apply.table(get_settings()).find("human")


@pytest.fixture
def enrich_settings(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                    ) -> Settings:
    """The session settings with a private state folder, also for the flow's tasks."""
    return flow_reads(monkeypatch, with_section(settings, "enrich", dir=tmp_path / "enrich"))


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    shutil.copytree(FIXTURES / "sync", folder)
    return folder


def use(database: Database, settings: Settings, genes: dict[str, Gene], path: Path
        ) -> obtain.LocalDatabase:
    return obtain.obtain(database, settings.enrich.dir, from_file=make_orgdb(path, genes))


def test_apply_is_a_sync_and_remove_restores_the_page_graph(
        empty_graph: Any, enrich_settings: Settings, human: Database, pages: Path,
        tmp_path: Path) -> None:
    driver, settings = empty_graph, enrich_settings
    summary = ingest(pages)
    assert summary.enrichment == []  # nothing applied, nothing listed: nothing done
    omim_entries(driver, settings, "100001", "100003", "100004")
    plain = graph_dump.dump(driver, settings)
    assert ann_props(driver, settings) == {} and not apply.applied(driver, settings)

    report = apply.apply(driver, settings, human, use(human, settings, V1, tmp_path / "v1"))
    assert (report.genes, report.annotated, report.not_found) == (2, 2, [])
    assert report.source_date == "2022-Sep12" and report.omim_links == 2
    assert ann_props(driver, settings) == {
        GENEA: {"ann_source": "org.Hs.eg.db", "ann_symbol": "GENEA", "ann_name": "gene A",
                "ann_aliases": ["A-1"], "ann_ensembl_ids": ["ENSG00000000001"],
                "ann_omim_ids": ["100001", "100002"]},
        GENEX: {"ann_source": "org.Hs.eg.db", "ann_symbol": "GENEX", "ann_name": "gene X",
                "ann_aliases": ["geneb"], "ann_omim_ids": ["100003"],
                "ann_review": True}}  # GENEC names it: a pair to review
    # links only to entries that exist (100002 has none); no OmimEntry was created
    assert omim_links(driver, settings) == {(GENEA, "100001"), (GENEX, "100003")}
    assert db.run_read(driver, settings, "MATCH (m:OmimEntry) RETURN count(m) AS n")[0]["n"] == 3
    assert [(p.chick_symbol, p.ncbi_id, p.ortholog_symbol) for p in report.inconsistent] == [
        ("GENEC", "5002", "GENEX")]
    once = graph_dump.dump(driver, settings)
    assert once != plain

    again = apply.apply(driver, settings, human, obtain.cached(human, settings.enrich.dir))
    assert graph_dump.dump(driver, settings) == once  # running it twice changes nothing
    assert again.fingerprint == report.fingerprint

    newer = use(human, settings, V2, tmp_path / "v2")
    report2 = apply.apply(driver, settings, human, newer)
    assert report2.fingerprint != report.fingerprint and report2.not_found == ["5002"]
    assert ann_props(driver, settings) == {  # replaced exactly: nothing of V1 is left
        GENEA: {"ann_source": "org.Hs.eg.db", "ann_symbol": "GENEA",
                "ann_name": "gene A, renamed",
                "ann_ensembl_ids": ["ENSG00000000001", "ENSG00000000009"],
                "ann_omim_ids": ["100004"]},
        GENEX: {"ann_source": "org.Hs.eg.db", "ann_review": True}}  # looked up, not in it
    assert omim_links(driver, settings) == {(GENEA, "100004")}
    assert {(p.chick_symbol, p.ortholog_symbol) for p in report2.inconsistent} == {
        ("GENEB", None), ("GENEC", None)}
    synced = graph_dump.dump(driver, settings)

    load_fresh(driver, settings, pages)  # a fresh load with V2 applied at once: the same
    omim_entries(driver, settings, "100001", "100003", "100004")
    apply.apply(driver, settings, human, newer)
    assert graph_dump.dump(driver, settings) == synced, \
        graph_dump.dump(driver, settings).difference(synced)

    apply.remove(driver, settings, human)
    assert graph_dump.dump(driver, settings) == plain, \
        graph_dump.dump(driver, settings).difference(plain)


def test_every_ingest_reapplies_it_to_genes_it_creates(
        empty_graph: Any, enrich_settings: Settings, human: Database, pages: Path,
        tmp_path: Path) -> None:
    driver, settings = empty_graph, enrich_settings
    genes = V1 | {"5003": Gene("GENED", "gene D")}
    ingest(pages)
    apply.apply(driver, settings, human, use(human, settings, genes, tmp_path / "db"))
    enriched = graph_dump.dump(driver, settings)

    # GENEA's human row goes: garbage collection deletes gene 5001 with its annotation ...
    genea = pages / "GENEA.md"
    original = genea.read_text(encoding="utf-8")
    genea.write_text(original.replace("entrez: '5001'", "entrez: '5009'"), encoding="utf-8")
    ingest(pages)
    assert GENEA not in ann_props(driver, settings)
    assert ann_props(driver, settings)["NCBITaxon:9606/NCBIGene:5009"] == {
        "ann_source": "org.Hs.eg.db",  # new this run, looked up, not in the database ...
        "ann_review": True}  # ... so its pair is one to review
    # ... and comes back with the page: created bare by the ingest, annotated at its end
    genea.write_text(original, encoding="utf-8")
    summary = ingest(pages)
    assert graph_dump.dump(driver, settings) == enriched
    [report] = summary.enrichment
    assert report.key == "org.Hs.eg.db" and report.error is None
    assert (report.genes, report.annotated) == (2, 2)
    assert "## Ortholog consistency: org.Hs.eg.db" in summary.markdown()

    # a new page naming a new human gene: annotated by the same run
    (pages / "GENED.md").write_text(
        original.replace("GENEA", "GENED").replace("'1001'", "'1004'")
        .replace("'5001'", "'5003'"), encoding="utf-8")
    ingest(pages)
    assert ann_props(driver, settings)["NCBITaxon:9606/NCBIGene:5003"]["ann_symbol"] == "GENED"

    # the cached copy gone: the run stands, and says what is missing
    shutil.rmtree(settings.enrich.dir)
    summary = ingest(pages)
    assert summary.status == "completed"
    [report] = summary.enrichment
    assert report.error is not None and "chickgraph enrich human" in report.error


def reviewed(driver: Any, settings: Settings) -> list[tuple[str, str | None]]:
    return [(r.chick_symbol, r.ncbi_id) for r in named.run("ortholog-consistency", limit=ALL)]


def test_the_review_flags_follow_the_pages(
        empty_graph: Any, enrich_settings: Settings, human: Database, pages: Path,
        tmp_path: Path) -> None:
    """The consistency query starts from the genes the enrichment flagged (`ann_review`),
    then tests each pair: a chick symbol an ingest changes is reviewed after that ingest (it
    re-applies the enrichment, flags included, or derives the flags alone when it cannot),
    and a pair the graph no longer holds as a mismatch drops out at once, flag or not."""
    driver, settings = empty_graph, enrich_settings
    ingest(pages)
    apply.apply(driver, settings, human, use(human, settings, V1, tmp_path / "db"))
    assert reviewed(driver, settings) == [("GENEC", "5002")]
    assert not ann_props(driver, settings)[GENEA].get("ann_review")

    genea = pages / "GENEA.md"
    original = genea.read_text(encoding="utf-8")
    genea.write_text(original.replace("symbol: GENEA", "symbol: GENEZ"), encoding="utf-8")
    ingest(pages)
    assert ann_props(driver, settings)[GENEA]["ann_review"] is True
    assert reviewed(driver, settings) == [("GENEC", "5002"), ("GENEZ", "5001")]

    genea.write_text(original, encoding="utf-8")
    ingest(pages)
    assert "ann_review" not in ann_props(driver, settings)[GENEA]
    assert reviewed(driver, settings) == [("GENEC", "5002")]

    # the database's copy gone: the ingest cannot re-apply it (reported), yet the flags, which
    # need only the graph, follow the pages all the same
    shutil.rmtree(settings.enrich.dir)
    genea.write_text(original.replace("symbol: GENEA", "symbol: GENEZ"), encoding="utf-8")
    summary = ingest(pages)
    [report] = summary.enrichment
    assert report.error is not None and "chickgraph enrich human" in report.error
    assert ann_props(driver, settings)[GENEA]["ann_review"] is True
    assert reviewed(driver, settings) == [("GENEC", "5002"), ("GENEZ", "5001")]

    # the test is applied to each pair again: GENEX still carries its flag, the pair is gone
    db.run_write(driver, settings, "MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: 'GENEC'}) "
                 "SET g.symbol = 'genex'")
    assert ann_props(driver, settings)[GENEX]["ann_review"] is True
    assert reviewed(driver, settings) == [("GENEZ", "5001")]


def test_listed_species_are_obtained_and_applied_by_the_ingest(
        empty_graph: Any, settings: Settings, human: Database, pages: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`enrich.species: [human]` in config: the first ingest obtains (here: a cached copy made
    by the test, as apt-get is not asked for a cached database) and applies it."""
    mine = flow_reads(monkeypatch, with_section(settings, "enrich", dir=tmp_path / "enrich",
                                                species=["human"]))
    use(human, mine, V1, tmp_path / "db")
    summary = ingest(pages)
    [report] = summary.enrichment
    assert report.error is None and report.annotated == 2
    assert [r["key"] for r in apply.applied(empty_graph, mine)] == ["org.Hs.eg.db"]


# --------------------------------------------------------------- the real org.Hs.eg.db


@pytest.fixture(scope="module")
def real_human() -> Iterator[tuple[Database, obtain.LocalDatabase]]:
    """The database `chickgraph enrich human --fetch-only` obtained (CI does), or the copy
    named by CHICKGRAPH_ENRICH_FROM; skipped, saying so, when neither is there."""
    from pipeline.settings import get_settings

    settings = get_settings()
    database = apply.table(settings).find("human")
    local = obtain.cached(database, settings.enrich.dir)
    if local is None and os.environ.get("CHICKGRAPH_ENRICH_FROM"):
        local = obtain.obtain(database, settings.enrich.dir,
                              from_file=Path(os.environ["CHICKGRAPH_ENRICH_FROM"]))
    if local is None:
        reason = (f"org.Hs.eg.db is not in {settings.enrich.dir}: run `chickgraph enrich "
                  "human --fetch-only` (needs apt-get) or set CHICKGRAPH_ENRICH_FROM=FILE")
        if os.environ.get("CI"):
            pytest.fail(f"CI must obtain the database first: {reason}")
        pytest.skip(reason)
    yield database, local


def expected_pairs(path: Path) -> dict[tuple[str, str], str | None]:
    """(chick symbol, human NCBI id) -> human symbol, for the pairs a curator should review:
    computed from the YAML pages and the SQLite file alone."""
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        symbols = dict(conn.execute(
            "SELECT g.gene_id, i.symbol FROM genes g JOIN gene_info i ON i._id = g._id"))
        aliases: dict[str, set[str]] = {}
        for gene_id, alias in conn.execute(
                "SELECT g.gene_id, a.alias_symbol FROM genes g JOIN alias a ON a._id = g._id"):
            aliases.setdefault(gene_id, set()).add(alias.upper())
    pairs: dict[tuple[str, str], str | None] = {}
    for page in sorted(CURRENT.glob("*.md")):
        fm = yaml.load(page.read_text(encoding="utf-8").split("---", 2)[1],
                       Loader=yaml.CSafeLoader)
        chick = fm["symbol"]
        for row in fm.get("orthologs") or []:
            if row.get("species") != "Human":
                continue
            for gene_id in (i.strip() for i in (row.get("entrez") or "").split(",")):
                human_symbol = symbols.get(gene_id)
                if gene_id and (human_symbol is None or (
                        human_symbol.upper() != chick.upper()
                        and chick.upper() not in aliases.get(gene_id, set()))):
                    pairs[(chick, gene_id)] = human_symbol
    return pairs


def sqlite_names(path: Path, ids: set[str]) -> dict[str, tuple[str, str]]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as conn:
        rows = conn.execute("SELECT g.gene_id, i.symbol, i.gene_name FROM genes g "
                            "JOIN gene_info i ON i._id = g._id")
        return {g: (s, n) for g, s, n in rows if g in ids}


@pytest.mark.slow
def test_real_database_names_the_human_orthologs_of_the_corpus(
        current_graph: Any, settings: Settings, real_human: tuple[Database, Any]) -> None:
    _, local = real_human
    plain = reference_dump(current_graph, settings, CURRENT)
    assert ann_props(current_graph, settings) == {}  # a load without the enrichment
    mark_loaded(None)  # changed from here on; restored (and proved) at the end
    try:
        result = cli("enrich", "human", "--json")  # the command: cached copy, lock, apply
        assert result.returncode == 0, result.stderr
        report = json.loads(result.stdout)
        assert report["genes"] == report["annotated"] == 2328 and report["not_found"] == []
        assert report["source_date"] == local.source_date

        expected = expected_pairs(local.path)
        got = {(r.chick_symbol, r.ncbi_id): r.ortholog_symbol
               for r in named.run("ortholog-consistency", limit=ALL)}
        assert got == expected
        assert {(p["chick_symbol"], p["ncbi_id"]) for p in report["inconsistent"]} == set(got)
        if local.source_date == "2022-Sep12":  # the count, with Debian's 3.16.0
            assert len(got) == 70
            assert got[("ALAS2", "211")] == "ALAS1" and got[("PLIN5", "116844")] == "LRG1"

        # the headline question: every row whose id the database knows has its names
        rows = named.run("ortholog-genes-in-tissue", structure="heart", species="human",
                         from_stage="HH10", to_stage="HH20", limit=ALL)
        truth = sqlite_names(local.path, {r.ncbi_id for r in rows if r.ncbi_id})
        assert len(truth) > 100
        assert {r.ncbi_id: (r.symbol, r.name) for r in rows if r.ncbi_id in truth} == truth
        assert all(r.symbol is None for r in rows if r.ncbi_id not in truth)
        [alas] = named.run("orthologs", symbol="ALAS2", species="human")
        assert (alas.ortholog_symbol, alas.ortholog_name) == (
            "ALAS1", "5'-aminolevulinate synthase 1")
        by_symbol = named.run("chick-expression-of", id="ALAS1")
        assert by_symbol and {r.chick_symbol for r in by_symbol} >= {"ALAS2"}
        conserved = named.run("conserved-orthologs", structure="heart", species="human",
                              limit=ALL)
        for row in conserved:
            assert len(row.ortholog_symbols) == len(row.orthologs) == len(row.ortholog_names)
        csv_out = cli("query", "ortholog-genes-in-tissue", "-p", "structure=heart", "-p",
                      "species=human", "-p", "from_stage=HH10", "-p", "to_stage=HH20",
                      "--format", "csv")
        assert csv_out.returncode == 0 and "CDH2,cadherin 2" in csv_out.stdout

        enriched = graph_dump.dump(current_graph, settings)
        again = cli("enrich", "human", "--json")
        assert again.returncode == 0, again.stderr
        assert graph_dump.dump(current_graph, settings) == enriched
    finally:
        removed = cli("enrich", "human", "--remove")
        assert removed.returncode == 0, removed.stderr
    after = graph_dump.dump(current_graph, settings)
    assert after == plain, after.difference(plain)
    mark_loaded(CURRENT)
