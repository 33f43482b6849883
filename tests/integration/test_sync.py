"""Incremental ingestion: syncing A to B gives exactly the graph of a fresh load of B (run
history and `*_at`/`run_id` aside), here on small synthetic edits; the real releases
(2025-11-24 <-> 2025-11-29, pages and data files) are synced both ways in test_release.py.
Unchanged pages cost nothing; bad edits lose nothing.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from neo4j.exceptions import ClientError

from pipeline.errors import IngestLocked, StrictModeFailure
from pipeline.ingest import core, record_cache
from pipeline.ingest.chunks import decode_page, encode_page
from pipeline.ingest.summary import FLOW_STEPS
from pipeline.load import cypher_files, db
from pipeline.queries import graph_dump
from pipeline.queries.export import export_page
from tests.conftest import (
    FIXTURES,
    assert_same,
    chunk_plans,
    flow_reads,
    fresh_dump,
    ingest,
    load_fresh,
    scans,
    with_section,
)

pytestmark = pytest.mark.integration

SYNC = FIXTURES / "sync"


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    folder = tmp_path / "pages"
    shutil.copytree(SYNC, folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


# GENEA's human ortholog row, without and with an OMIM entry
NO_OMIM = "mod: MIM:100001\n  phenotypes: ''"
WITH_OMIM = "mod: MIM:100001\n  phenotypes: MIM:600001"


def heart_images(query: str) -> dict[str, int]:
    """Images per chick gene in the heart by a named query: genes-in-tissue, or
    phenotype-orthologs (its default: genes with an OMIM-linked ortholog)."""
    from pipeline.queries import named

    return {r.symbol: r.images for r in named.run(query, structure="heart")}


def sync_equals_fresh(
    driver: Any, settings: Any, folder: Path, change: Callable[[], None]
) -> graph_dump.GraphDump:
    load_fresh(driver, settings, folder)
    change()
    ingest(folder)
    synced = graph_dump.dump(driver, settings)
    assert_same(synced, fresh_dump(driver, settings, folder))
    return synced


def gene_keys(driver: Any, settings: Any) -> set[str]:
    return {r["k"] for r in db.run_read(driver, settings, "MATCH (g:Gene) RETURN g.key AS k")}


def test_gene_id_changes(empty_graph: Any, settings: Any, pages: Path) -> None:
    sync_equals_fresh(empty_graph, settings, pages,
                      lambda: edit(pages, "GENEA.md", "gene_id: '1001'", "gene_id: '1011'"))
    keys = gene_keys(empty_graph, settings)
    assert "NCBITaxon:9031/NCBIGene:1011" in keys
    assert "NCBITaxon:9031/NCBIGene:1001" not in keys


def test_ortholog_row_disappears(empty_graph: Any, settings: Any, pages: Path) -> None:
    row = ("- ensembl: ENSMUSG00000000001\n  entrez: '6001'\n  mod: MGI:1\n  phenotypes: ''\n"
           "  species: Mouse\n")
    sync_equals_fresh(empty_graph, settings, pages, lambda: edit(pages, "GENEA.md", row, ""))
    assert "NCBITaxon:10090/NCBIGene:6001" not in gene_keys(empty_graph, settings)


def test_image_moves_to_another_stage(empty_graph: Any, settings: Any, pages: Path) -> None:
    sync_equals_fresh(empty_graph, settings, pages,
                      lambda: edit(pages, "GENEA.md", "stage: stage 10", "stage: stage 12"))
    stages = db.run_read(empty_graph, settings,
                         "MATCH (:Gene {symbol: 'GENEA'})-[e:EXPRESSED_IN]->"
                         "(:AnatomicalStructure {key: 'heart'}) RETURN e.stage_key AS s")
    assert [r["s"] for r in stages] == ["HH12"]


@pytest.mark.parametrize("renamed", ["sub/GENEA.md", "0-GENEA.md"])  # after, before GENEA.md
def test_a_renamed_or_moved_page_keeps_its_gene(empty_graph: Any, settings: Any, pages: Path,
                                                renamed: str) -> None:
    """The graph's page left the source and a new path describes its gene, sorting after the
    old one (the gene was lost for a run: skipped as "already described by" a page that was
    then deleted) or before it (the old page was reported as a failed page): a sync equals a
    fresh load of the folder, and reports one page loaded, one deleted, nothing failed."""
    load_fresh(empty_graph, settings, pages)
    (pages / renamed).parent.mkdir(exist_ok=True)
    (pages / "GENEA.md").rename(pages / renamed)
    summary = ingest(pages)
    assert (summary.pages_loaded, summary.pages_deleted, summary.pages_failed) == (1, 1, 0)
    assert summary.errors == []
    [(path, _)] = export_page(empty_graph, settings, symbol="GENEA")
    assert path == renamed
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))


def test_deleted_page_keeps_shared_ortholog(empty_graph: Any, settings: Any, pages: Path) -> None:
    human = "NCBITaxon:9606/NCBIGene:5002"
    sync_equals_fresh(empty_graph, settings, pages, lambda: (pages / "GENEC.md").unlink())
    assert human in gene_keys(empty_graph, settings)  # GENEB still names it
    sync_equals_fresh(empty_graph, settings, pages, lambda: (pages / "GENEB.md").unlink())
    keys = gene_keys(empty_graph, settings)
    assert human not in keys and "NCBITaxon:8353/NCBIGene:7001" not in keys
    assert not db.run_read(empty_graph, settings,
                           "MATCH (s:DevelopmentalStage {key: 'HH8+'}) RETURN s")


def test_deleted_pages_go_a_chunk_per_transaction(
        empty_graph: Any, settings: Any, pages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A release that drops most pages of a big graph must not delete them in one transaction
    (65,520 pages of the 25x graph exceeded Neo4j's transaction memory): with chunks of one
    page, two deleted pages take two transactions, and the graph is a fresh load's."""
    from pipeline.load import writer

    one_page = with_section(settings, "ingest", chunk_size=1)
    deletions: list[list[str]] = []
    write_chunk = writer.write_chunk

    def counted(driver: Any, given: Any, chunk: Any, delete_paths: Any = None,
                run_id: str | None = None) -> None:
        if not chunk.paths:
            deletions.append(list(delete_paths or ()))
        write_chunk(driver, given, chunk, delete_paths, run_id=run_id)

    load_fresh(empty_graph, settings, pages)
    flow_reads(monkeypatch, one_page)
    monkeypatch.setattr(writer, "write_chunk", counted)
    (pages / "GENEB.md").unlink()
    (pages / "GENEC.md").unlink()
    ingest(pages)
    assert deletions == [["GENEB.md"], ["GENEC.md"]]
    monkeypatch.undo()
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))


def test_a_rewritten_gene_keeps_its_site_rank_until_the_sites_are_derived(
    empty_graph: Any, settings: Any, pages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rewritten page's gene is a new node, and the (:Site) lists keep the old ranks until
    derive_sites runs at the end of the sync. The new node takes the old node's rank, so a
    reader in between still finds the gene through the lists (as it was before the sync);
    without that, every gene of a changed page dropped out of genes-in-tissue for the rest of
    the sync. The sync's derive then leaves a fresh load's graph."""
    from pipeline.load import writer

    def heart() -> dict[str, int]:
        return heart_images("genes-in-tissue")

    ranks = "MATCH (g:Gene) WHERE g.site_rank IS NOT NULL RETURN g.key AS k, g.site_rank AS r"
    load_fresh(empty_graph, settings, pages)
    before, ranked = heart(), db.run_read(empty_graph, settings, ranks)
    assert "GENEA" in before
    edit(pages, "GENEA.md", "name: synthetic gene A", "name: synthetic gene A, edited")
    monkeypatch.setattr(writer, "derive_sites", lambda driver, given: None)
    assert ingest(pages).pages_loaded == 1
    assert heart() == before
    assert sorted(db.run_read(empty_graph, settings, ranks), key=str) == sorted(ranked, key=str)
    monkeypatch.undo()
    writer.derive_sites(empty_graph, settings)
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))


def test_sites_are_derived_before_a_reload_only_when_pages_exist(
    empty_graph: Any, settings: Any, pages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first load (an empty graph, no fingerprint) derives the (:Site) lists once, at the
    end; a full reload of a graph with pages derives them before the first chunk too (the
    test below shows why), and both leave a fresh load's graph."""
    from pipeline.load import writer

    derived: list[int] = []
    derive = writer.derive_sites

    def counting(driver: Any, given: Any) -> None:
        derived.append(len(db.run_read(driver, given, "MATCH (p:Page) RETURN p.path")))
        derive(driver, given)

    monkeypatch.setattr(writer, "derive_sites", counting)
    assert ingest(pages).full_reload
    assert derived == [3]  # once, with the pages loaded
    writer.set_vocabulary_fingerprint(empty_graph, settings, "an older version")
    assert ingest(pages).full_reload
    assert derived == [3, 3, 3]
    monkeypatch.undo()
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))


def test_a_full_reload_derives_old_sites_before_it_rewrites_pages(
    empty_graph: Any, settings: Any, pages: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A graph of an older version (its fingerprint stale) is reloaded page by page while
    readers query it. Its (:Site) lists may be of an older form: before image counts existed,
    genes-in-tissue answered 0 images for every gene until the reload's end. The reload
    derives them first, so a reader before the first chunk already gets right answers.
    Before their totals existed (TRANSFORM_VERSION 6), stage-atlas found no structure; before
    their OMIM lists (7), phenotype-orthologs found no gene with any OMIM entry."""
    from pipeline.load import writer
    from pipeline.queries import named

    def heart() -> dict[str, int]:
        return heart_images("genes-in-tissue")

    def atlas() -> dict[str, tuple[int, int]]:
        return {r.structure_key: (r.genes, r.images) for r in named.run("stage-atlas",
                                                                        stage="HH10")}

    def omim() -> dict[str, int]:
        return heart_images("phenotype-orthologs")

    edit(pages, "GENEA.md", NO_OMIM, WITH_OMIM)
    load_fresh(empty_graph, settings, pages)
    fresh, fresh_atlas, fresh_omim = heart(), atlas(), omim()
    assert fresh and all(images > 0 for images in fresh.values())
    assert "heart" in fresh_atlas
    assert fresh_omim == {"GENEA": fresh["GENEA"]}
    db.run_managed(empty_graph, settings, "MATCH (s:Site) REMOVE s.image_counts, s.gene_count, "
                   "s.image_total, s.stage_ordinal, s.omim_gene_ranks, s.omim_image_counts")
    writer.set_vocabulary_fingerprint(empty_graph, settings, "an older version")
    assert set(heart().values()) == {0}
    assert atlas() == {}
    assert omim() == {}
    seen: list[tuple[dict[str, int], ...]] = []
    write_chunk = writer.write_chunk

    def reading(driver: Any, given: Any, chunk: Any, delete_paths: Any = None,
                run_id: str | None = None) -> None:
        seen.append((heart(), atlas(), omim()))
        write_chunk(driver, given, chunk, delete_paths, run_id=run_id)

    monkeypatch.setattr(writer, "write_chunk", reading)
    assert ingest(pages).full_reload
    assert seen and all(answer == (fresh, fresh_atlas, fresh_omim) for answer in seen)
    monkeypatch.undo()
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))


def test_a_gene_gaining_or_losing_an_omim_ortholog_moves_in_the_site_lists(
    empty_graph: Any, settings: Any, pages: Path
) -> None:
    """phenotype-orthologs' default (any OMIM entry) sums the (:Site) lists of OMIM-linked
    genes, derived from HAS_PHENOTYPE: a page whose ortholog gains an OMIM entry puts its
    gene on them at the sync's end, and losing it takes the gene off, each sync giving a
    fresh load's graph; the answer is the gene's genes-in-tissue row."""
    def omim() -> dict[str, int]:
        return heart_images("phenotype-orthologs")

    load_fresh(empty_graph, settings, pages)
    assert omim() == {}
    heart = heart_images("genes-in-tissue")
    edit(pages, "GENEA.md", NO_OMIM, WITH_OMIM)
    assert ingest(pages).pages_loaded == 1
    assert omim() == {"GENEA": heart["GENEA"]}  # the synced graph's answer
    lists = db.run_read(empty_graph, settings,
                        "MATCH (s:Site) WHERE size(s.omim_gene_ranks) > 0 "
                        "RETURN s.key AS key, s.omim_gene_ranks AS ranks ORDER BY key")
    assert lists and all(len(r["ranks"]) == 1 for r in lists)
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))
    edit(pages, "GENEA.md", WITH_OMIM, NO_OMIM)
    assert ingest(pages).pages_loaded == 1
    assert omim() == {}
    assert_same(graph_dump.dump(empty_graph, settings), fresh_dump(empty_graph, settings, pages))


def test_stage_atlas_counts_a_gene_once_across_stages_of_one_ordinal(
    empty_graph: Any, settings: Any, pages: Path
) -> None:
    """HH8+ and HH9- are both ordinal 22.5: a structure then has two (:Site) nodes at that
    stage, and stage-atlas counts the union of their genes (a gene at both, once) and the sum
    of their images, as counting the edges would."""
    from pipeline.queries import named

    (pages / "GENED.md").write_text(
        "---\nsymbol: GENED\ntitle: GENED\nspecies: Gallus gallus\ngene_id: '1004'\n"
        "images:\n"
        "- image_url: https://example.org/gened_0.jpg\n  location: Hindbrain\n  stage: HH9-\n"
        "- image_url: https://example.org/gened_1.jpg\n  location: Hindbrain\n  stage: HH8+\n"
        "- image_url: https://example.org/gened_2.jpg\n  location: Hindbrain\n  stage: HH9-\n"
        "---\n\n# GENED\n", encoding="utf-8")
    load_fresh(empty_graph, settings, pages)
    sites = db.run_read(empty_graph, settings,
                        "MATCH (s:Site) WHERE s.stage_ordinal = 22.5 RETURN s.key AS key, "
                        "s.gene_count AS genes, s.image_total AS images ORDER BY key")
    assert [(r["key"], r["genes"], r["images"]) for r in sites] == [
        ("hindbrain @ HH8+", 2, 2), ("hindbrain @ HH9-", 1, 2), ("placode @ HH8+", 1, 1)]
    for stage in ("HH8+", "HH9-"):
        atlas = {r.structure_key: (r.genes, r.images) for r in named.run("stage-atlas",
                                                                         stage=stage)}
        assert atlas["hindbrain"] == (2, 4)  # GENEC and GENED; 1 + 1 + 2 images


def test_a_run_replans_when_it_leaves_the_graph_big_enough(
        empty_graph: Any, settings: Any, pages: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The `statistics` step (index samples and plan caches made anew) ends a run that changed
    the graph when the graph then holds `ingest.replan_min_nodes` nodes or more, and only then:
    the threshold at the three pages' node count, then one above it."""

    def threshold(nodes: int) -> None:
        flow_reads(monkeypatch, with_section(settings, "ingest", replan_min_nodes=nodes))

    loaded = ingest(pages)
    nodes = sum(loaded.nodes.values())
    assert "statistics" not in loaded.step_seconds and 0 < nodes < settings.ingest.replan_min_nodes
    edit(pages, "GENEA.md", "name: synthetic gene A", "name: synthetic gene A, renamed")
    threshold(nodes)
    replanned = ingest(pages)
    assert (replanned.pages_loaded, sum(replanned.nodes.values())) == (1, nodes)
    assert list(replanned.step_seconds)[-1] == "statistics"
    edit(pages, "GENEA.md", "name: synthetic gene A, renamed", "name: synthetic gene A")
    threshold(nodes + 1)
    kept = ingest(pages)
    assert kept.pages_loaded == 1 and "statistics" not in kept.step_seconds


def test_unchanged_rerun_rewrites_nothing(empty_graph: Any, settings: Any, pages: Path) -> None:
    load_fresh(empty_graph, settings, pages)
    ids = "MATCH (n) WHERE NOT n:IngestRun AND NOT n:IngestLock RETURN elementId(n) AS id"
    before = {r["id"] for r in db.run_read(empty_graph, settings, ids)}
    summary = ingest(pages)
    assert (summary.pages_unchanged, summary.pages_loaded, summary.pages_deleted) == (3, 0, 0)
    assert {r["id"] for r in db.run_read(empty_graph, settings, ids)} == before


def test_bad_edit_keeps_previous_data(empty_graph: Any, settings: Any, pages: Path) -> None:
    load_fresh(empty_graph, settings, pages)
    [(_, before)] = export_page(empty_graph, settings, symbol="GENEB")
    edit(pages, "GENEB.md", "gene_id: '1002'", "gene_id: [broken")
    summary = ingest(pages)
    assert summary.pages_failed == 1
    assert [e.file for e in summary.errors] == ["GENEB.md"]
    assert "(front matter)" in summary.errors[0].field
    [(_, after)] = export_page(empty_graph, settings, symbol="GENEB")
    assert after == before
    with pytest.raises(StrictModeFailure, match=r"GENEB\.md"):
        ingest(pages, strict=True)


def test_a_second_run_waits_or_exits_clearly(empty_graph: Any, settings: Any, pages: Path) -> None:
    import os
    import socket

    from pipeline.load import lock

    db.apply_schema(empty_graph, settings)
    lock.acquire(empty_graph, settings, "other-run", "elsewhere")
    with pytest.raises(IngestLocked, match="another ingest run holds the lock"):
        ingest(pages)
    lock.release(empty_graph, settings, "other-run")
    # a holder that died (same host, no such pid) is taken over
    db.run_write(empty_graph, settings,
                 "MATCH (l:IngestLock) SET l.run_id = 'dead', l.pid = $pid, l.host = $host, "
                 "l.heartbeat_at = $now",
                 {"pid": 2**22 + 12345, "host": socket.gethostname(),
                  "now": "2099-01-01T00:00:00+00:00"})
    assert os.getpid() != 2**22 + 12345
    assert ingest(pages).pages_loaded == 3
    held = db.run_read(empty_graph, settings, "MATCH (l:IngestLock) RETURN l.run_id AS r")
    assert held == [{"r": None}]


def test_schema_replaces_the_stage_index_of_earlier_versions(empty_graph: Any,
                                                            settings: Any) -> None:
    """A database set up by an earlier version has the single-property stage index; the
    schema step leaves the composite one in its place, not both."""
    db.run_write(empty_graph, settings, "CREATE INDEX expressed_in_stage IF NOT EXISTS "
                 "FOR ()-[r:EXPRESSED_IN]-() ON (r.stage_ordinal)")
    for _ in range(2):  # idempotent: a second run finds nothing to drop or create
        db.apply_schema(empty_graph, settings)
        indexes = {r["name"]: r["properties"] for r in db.run_read(
            empty_graph, settings, "SHOW INDEXES YIELD name, properties "
            "WHERE name STARTS WITH 'expressed_in_stage' RETURN name, properties")}
        assert indexes == {"expressed_in_stage_images": ["stage_ordinal", "image_count"],
                           "expressed_in_stage_key": ["stage_key"]}


def test_schema_is_applied_only_when_something_is_missing(empty_graph: Any,
                                                        settings: Any) -> None:
    """A run that finds every index and constraint in place runs no schema statement; one
    missing (or an index in a constraint's place) makes it apply the whole file again."""
    statements = len(cypher_files.statements("schema"))

    def names() -> dict[str, Any]:
        return {r["name"]: r["owner"] for r in db.run_read(
            empty_graph, settings,
            "SHOW INDEXES YIELD name, owningConstraint RETURN name, owningConstraint AS owner")}

    db.apply_schema(empty_graph, settings)
    complete = names()
    try:
        assert db.apply_schema(empty_graph, settings) == 0
        assert db.apply_schema(empty_graph, settings, force=True) == statements
        db.run_write(empty_graph, settings, "DROP INDEX gene_symbol")
        assert db.apply_schema(empty_graph, settings) == statements
        assert names() == complete
        db.run_write(empty_graph, settings, "DROP CONSTRAINT page_path")
        db.run_write(empty_graph, settings, "CREATE INDEX page_path FOR (n:Page) ON (n.path)")
        assert names()["page_path"] is None  # a plain index of the constraint's name: not
        with pytest.raises(ClientError, match="already exists"):  # skipped, the server
            db.apply_schema(empty_graph, settings)  # refuses the constraint
    finally:  # the other tests share this server's schema
        if names().get("page_path", "page_path") is None:
            db.run_write(empty_graph, settings, "DROP INDEX page_path")
        db.apply_schema(empty_graph, settings, force=True)
    assert names() == complete
    assert db.apply_schema(empty_graph, settings) == 0


def test_chunk_statements_plan_the_same_on_an_empty_and_a_loaded_graph(
        empty_graph: Any, settings: Any, pages: Path) -> None:
    """The chunk statements keep the first plan the server makes (`CYPHER replan=skip`,
    pipeline/load/writer.py), made on whatever graph the first load met: planned afresh on an
    empty graph and on a loaded one, every plan is the same and seeks what it reads, by a
    unique index or an element id (test_corpus_load checks the whole corpus)."""
    empty = chunk_plans(empty_graph, settings)
    assert scans(empty) == {}
    ingest(pages)
    loaded = chunk_plans(empty_graph, settings)
    assert loaded == empty
    seeks = {op for ops in empty.values() for op, _ in ops if "Seek" in op}
    assert seeks == {"NodeUniqueIndexSeek(Locking)", "NodeByElementIdSeek"}


def test_runs_are_recorded(empty_graph: Any, settings: Any, pages: Path) -> None:
    first = ingest(pages)
    second = ingest(pages)
    runs = db.run_read(empty_graph, settings,
                       "MATCH (r:IngestRun) RETURN r.run_id AS id, r.status AS status, "
                       "r.pages_loaded AS loaded ORDER BY r.started_at")
    assert [(r["id"], r["status"], r["loaded"]) for r in runs] == [
        (first.run_id, "completed", 3), (second.run_id, "completed", 0)]
    # each step's time, in the order run; these three pages make too small a graph to replan
    # (ingest.replan_min_nodes), and a run that changed nothing never replans
    steps = [step for step in FLOW_STEPS if step != "statistics"]
    assert sum(first.nodes.values()) < settings.ingest.replan_min_nodes
    assert list(first.step_seconds) == steps
    assert list(second.step_seconds) == steps
    for summary in (first, second):
        assert all(s >= 0 for s in summary.step_seconds.values())
        # the steps are disjoint parts of the run; each figure is rounded to the millisecond
        # (half of one off at most), and the total too
        slack = 0.0005 * (len(summary.step_seconds) + 1)
        assert sum(summary.step_seconds.values()) <= summary.seconds + slack
        assert summary.steps_line().startswith("steps: prepare ")
        assert summary.steps_line() in summary.markdown()


def test_git_source_records_its_commit(
    empty_graph: Any, settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git source is cloned, then pulled: the run syncs to the new commit and records it."""
    from pipeline.flow import flows
    from pipeline.settings import GitSource
    from tests.unit.test_sources import git, make_repo

    repo = make_repo(tmp_path / "upstream")
    flow_reads(monkeypatch, settings.model_copy(update={
        "sources": {"repo": GitSource(url=str(repo), subdir="content/genes")},
        "cache_dir": tmp_path / "cache"}))
    first = flows.ingest_flow(source_name="repo")
    assert first.commit == git(repo, "rev-parse", "HEAD") and first.pages_loaded == 3
    (repo / "content" / "genes" / "GENEC.md").unlink()
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qam", "B")
    second = flows.ingest_flow(source_name="repo")
    assert second.commit == git(repo, "rev-parse", "HEAD") != first.commit
    assert (second.pages_deleted, second.pages_unchanged) == (1, 2)
    runs = db.run_read(empty_graph, settings,
                       "MATCH (r:IngestRun) RETURN r.commit AS c ORDER BY r.started_at")
    assert [r["c"] for r in runs] == [first.commit, second.commit]


def test_a_load_from_the_record_cache_equals_a_load_that_parsed(empty_graph: Any, settings: Any,
                                                                pages: Path) -> None:
    """A fresh load after one that parsed (and filled the record cache) builds the same graph,
    from the cache: an entry changed behind its back shows up in the graph.
    tests/unit/test_record_cache.py proves the rows equal on every page of both releases."""
    assert settings.ingest.record_cache is not None
    record_cache.clear(settings.ingest.record_cache)
    parsed = fresh_dump(empty_graph, settings, pages)
    cache = core.record_cache(settings)
    assert cache is not None and cache.entries() == len(list(pages.glob("*.md")))
    assert_same(parsed, fresh_dump(empty_graph, settings, pages))
    with closing(sqlite3.connect(cache.database)) as connection, connection:
        (encoded,) = connection.execute(
            "SELECT encoded FROM page WHERE path = 'GENEA.md'").fetchone()
        page = decode_page(encoded)
        page.rows["genes"][0]["props"]["served_by"] = "record cache"
        connection.execute("UPDATE page SET encoded = ? WHERE path = 'GENEA.md'",
                           (encode_page(page),))
    load_fresh(empty_graph, settings, pages)
    served = db.run_read(empty_graph, settings,
                         "MATCH (g:Gene {served_by: 'record cache'}) RETURN g.symbol AS symbol")
    assert [r["symbol"] for r in served] == ["GENEA"]
    record_cache.clear(settings.ingest.record_cache)  # what the next tests load is parsed
