"""Whole releases (pages + data/): literature, facets and ortholog phenotypes in the graph.

Synthetic releases in tests/fixtures/release (fast), then the real 2025-11-29 and 2025-11-24
releases: counts against the JSON files, the named queries against answers computed from
the files, and sync both ways with the data files included, each equal to a fresh load.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.common import db_hits, profile_named
from pipeline.load import db
from pipeline.queries import graph_dump, named
from pipeline.queries.export import export_page
from tests.conftest import (
    CORPUS,
    FIXTURES,
    assert_same,
    fresh_dump,
    graph_of,
    ingest,
    mark_loaded,
)

pytestmark = pytest.mark.integration

GOOD, BAD = FIXTURES / "release" / "good", FIXTURES / "release" / "bad"
RELEASE_29 = CORPUS / "chickybase-2025-11-29"
RELEASE_24 = CORPUS / "chickybase-2025-11-24"


def count(driver: Any, settings: Any, query: str, **params: Any) -> int:
    return db.run_read(driver, settings, query, params)[0]["n"]


# ------------------------------------------------------------------ synthetic releases


def test_fixture_release_graph(empty_graph: Any, settings: Any) -> None:
    summary = ingest(GOOD)
    assert summary.pages_loaded == 2 and summary.pages_failed == 0
    assert summary.data_files == ["data/gene_index.json", "data/orthologs.json",
                                  "data/papers.json"]
    assert summary.citation_sources == 4
    assert summary.citations_unresolved == ["Nobody et al. 2001"]
    assert summary.phenotypes_unsplit == 2
    assert summary.nodes["Publication"] == 5 and summary.nodes["Facet"] == 5
    assert summary.nodes["OmimEntry"] == 2 and summary.nodes["ProcessTerm"] == 3
    assert summary.relationships["RESOLVES_TO"] == 4
    assert summary.relationships["IN_FACET"] == 5
    assert summary.relationships["HAS_PHENOTYPE"] == 3 + 3
    g = empty_graph
    assert count(g, settings, "MATCH (o:OmimEntry {mim_id: '613287'})<-[:HAS_PHENOTYPE]-(x) "
                              "RETURN count(x) AS n") == 2
    mouse = db.run_read(g, settings, "MATCH (r:OrthologRow {entrez: '300003'}) "
                                     "RETURN r {.*} AS r")[0]["r"]
    assert mouse["allele_types"] == ["Targeted, knock-out", "Targeted, other"]
    assert mouse["allele_counts"] == [3, 2] and mouse["allele_total"] == 5
    assert mouse["phenotypes"].startswith("All phenotypic alleles (5)")
    # export stays lossless: the page's front matter comes back as written
    text = (GOOD / "genes" / "RELA.md").read_text()
    written = yaml.safe_load(text.split("---")[1])
    assert export_page(g, settings, path="RELA.md") == [("RELA.md", written)]
    rows = named.run_raw("publications", settings, symbol="RELA", structure="heart",
                         from_stage="HH10", to_stage="HH20")
    assert [(r["publication"], r["images"]) for r in rows] == [("PMID:31000001", 1)]
    assert rows[0]["url"] == "https://pubmed.ncbi.nlm.nih.gov/31000001/"
    rows = named.run_raw("phenotype-orthologs", settings, structure="heart",
                         from_stage="HH10", to_stage="HH20", mim_id="MIM:600001")
    assert [(r["symbol"], r["phenotypes"]) for r in rows] == [("RELA", ["600001"])]
    rows = named.run_raw("facet-genes-in-tissue", settings, facet="wnt", structure="heart")
    assert [r["symbol"] for r in rows] == ["RELA"]
    mark_loaded(None)


def test_bad_data_files_are_reported_and_pages_still_load(empty_graph: Any,
                                                          settings: Any) -> None:
    summary = ingest(BAD)
    assert summary.pages_loaded == 2 and summary.pages_failed == 0
    problems = {(e.file, e.field) for e in summary.errors}
    assert {("data/papers.json", "[1].pmid"), ("data/papers.json", "[2].citation"),
            ("data/papers.json", "[3].pmid"), ("data/papers.json", "[4].year"),
            ("data/papers.json", "[5]"), ("data/gene_index.json", "(file)")} <= problems
    assert summary.nodes["Publication"] == 1 and "Facet" not in summary.nodes
    assert summary.nodes["Gene"] >= 2


def test_fixture_sync_each_way_equals_fresh(empty_graph: Any, settings: Any,
                                            tmp_path: Path) -> None:
    """Data files that changed, appeared or disappeared; pages unchanged each time."""
    edited = tmp_path / "edited"
    shutil.copytree(GOOD, edited)
    papers = json.loads((edited / "data/papers.json").read_text())
    papers[0]["title"] = "Changed title"
    papers.append({"citation": "Nobody 2001", "pmid": "20010001"})
    (edited / "data/papers.json").write_text(json.dumps(papers))
    no_data = tmp_path / "no-data"
    shutil.copytree(GOOD / "genes", no_data / "genes")
    targets = [GOOD, BAD, edited, no_data, GOOD / "genes", GOOD]
    fresh = {str(t): fresh_dump(empty_graph, settings, t) for t in targets}
    ingest(targets[0])
    for target in targets[1:]:
        summary = ingest(target)
        assert summary.pages_loaded == 0  # only the data files differ
        assert_same(graph_dump.dump(empty_graph, settings), fresh[str(target)])
    unchanged = ingest(GOOD)
    assert unchanged.data_written is False


def test_graph_written_by_an_older_release_model_is_rewritten(empty_graph: Any,
                                                              settings: Any) -> None:
    """Unchanged files, but written before Facet.name_lower (release model 2): the next ingest
    writes the data again, so the facet query finds its facet by the new index."""
    fresh = fresh_dump(empty_graph, settings, GOOD)
    ingest(GOOD)
    db.run_write(empty_graph, settings, "MATCH (d:DataFile) REMOVE d.model "
                                        "WITH count(*) AS done MATCH (f:Facet) REMOVE f.name_lower")
    assert named.run_raw("facet-genes-in-tissue", settings, facet="wnt", structure="heart") == []
    again = ingest(GOOD)
    assert again.pages_loaded == 0 and again.data_written is True
    assert_same(graph_dump.dump(empty_graph, settings), fresh)
    rows = named.run_raw("facet-genes-in-tissue", settings, facet="wnt", structure="heart")
    assert [r["symbol"] for r in rows] == ["RELA"]
    assert ingest(GOOD).data_written is False


# ------------------------------------------------------------------ the real releases


def _front_matters(folder: Path) -> list[dict[str, Any]]:
    pages = []
    for path in sorted((folder / "genes").glob("*.md")):
        parts = path.read_text(encoding="utf-8").split("\n---", 1)
        try:
            front = yaml.load(parts[0].removeprefix("---"), Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        if isinstance(front, dict):
            pages.append(front)
    return pages


def _rows(pages: list[dict[str, Any]], species: str, named_only: bool = False) -> list[str]:
    return [r["phenotypes"] for p in pages for r in p.get("orthologs") or []
            if isinstance(r, dict) and r.get("species") == species
            and isinstance(r.get("phenotypes"), str) and r["phenotypes"]
            and (not named_only or any(str(r.get(k) or "").strip()
                                       for k in ("entrez", "ensembl", "mod", "symbol")))]


@pytest.fixture(scope="module")
def release_29(driver: Any, settings: Any, prefect_harness: None) -> Any:
    if not RELEASE_29.exists():
        pytest.skip("shared corpus not found")
    return graph_of(driver, settings, RELEASE_29)  # shared by the tests that do not change it


@pytest.mark.slow
def test_real_release_counts_match_the_files(release_29: Any, settings: Any) -> None:
    papers = json.loads((RELEASE_29 / "data/papers.json").read_text())
    keys = {f"PMID:{p['pmid']}" if p.get("pmid", "").isdigit() else
            f"PMCID:{p['pmid']}" if p.get("pmid") else f"DOI:{p['doi'].lower()}"
            for p in papers}
    g = release_29
    assert count(g, settings, "MATCH (p:Publication) WHERE p.listed RETURN count(p) AS n") \
        == len(keys) == 754
    index = json.loads((RELEASE_29 / "data/gene_index.json").read_text())
    facets = {(kind, name) for e in index for kind in ("systems", "pathways", "categories")
              for name in e[kind]}
    assert count(g, settings, "MATCH (f:Facet) RETURN count(f) AS n") == len(facets)
    # an entry is linked to the page gene with its symbol (every page of this release loads)
    symbols = {r["s"] for r in db.run_read(
        g, settings, "MATCH (:Page)-[:DESCRIBES]->(c:Gene) RETURN c.symbol AS s", {})}
    links = sum(len(set(e[k])) for e in index if e["symbol"] in symbols
                for k in ("systems", "pathways", "categories"))
    assert count(g, settings, "MATCH (:Gene)-[r:IN_FACET]->() RETURN count(r) AS n") == links
    pages = _front_matters(RELEASE_29)
    mims = {m for text in _rows(pages, "Human") for m in re.findall(r"MIM:(\d+)", text)}
    assert len(mims) == 492
    # a row naming no gene (ASL2's human row: no entrez, ensembl or mod) has no gene to link
    # its MIM id from: the id stays in the row's omim_ids, no OmimEntry node is made for it
    linkable = {m for text in _rows(pages, "Human", named_only=True)
                for m in re.findall(r"MIM:(\d+)", text)}
    assert count(g, settings, "MATCH (o:OmimEntry) RETURN count(o) AS n") == len(linkable) == 491
    assert count(g, settings, "MATCH (r:OrthologRow) WHERE '207900' IN r.omim_ids "
                              "RETURN count(r) AS n") == 1
    # an independent split: commas not followed by a closing parenthesis before an opening one
    terms = {t.strip() for text in _rows(pages, "Zebrafish")
             for t in re.split(r",(?![^(]*\))", text)}
    assert count(g, settings, "MATCH (t:ProcessTerm) RETURN count(t) AS n") == len(terms)
    mouse = _rows(pages, "Mouse")
    assert count(g, settings, "MATCH (r:OrthologRow) WHERE r.allele_total IS NOT NULL "
                              "RETURN count(r) AS n") == len(mouse)


@pytest.mark.slow
def test_real_release_publications_query(release_29: Any, settings: Any) -> None:
    papers = json.loads((RELEASE_29 / "data/papers.json").read_text())
    by_citation: dict[str, set[str]] = {}
    for p in papers:
        by_citation.setdefault(p["citation"].lower(), set()).add(p.get("pmid") or p["doi"])
    pages = {p.get("symbol"): p for p in _front_matters(RELEASE_29)}
    checked = 0
    for symbol in ("SHH", "WNT3A", "FGF8", "BMP4", "PAX6", "SOX2", "TBX5", "NKX2-5"):
        page = pages.get(symbol)
        if page is None:
            continue
        expected = set()
        for image in page.get("images") or []:
            match = re.fullmatch(r"(\S+) et al\. (\d{4})", str(image.get("source") or ""))
            if match:
                expected |= by_citation.get(f"{match[1]} {match[2]}".lower(), set())
        if not expected:
            continue
        rows = named.run_raw("publications", settings, symbol=symbol)
        found = {r["pubmed_id"] or r["publication"].split(":", 1)[1] for r in rows}
        assert found == expected, symbol
        checked += 1
    assert checked >= 3


@pytest.mark.slow
def test_real_release_named_queries_answer(release_29: Any, settings: Any) -> None:
    rows = named.run_raw("phenotype-orthologs", settings, structure="heart",
                         from_stage="HH10", to_stage="HH20")
    assert rows and all(r["phenotypes"] and r["images"] > 0 for r in rows)
    rows = named.run_raw("facet-genes-in-tissue", settings, facet="WNT", kind="pathway",
                         structure="Neural Plate/Tube")
    index = json.loads((RELEASE_29 / "data/gene_index.json").read_text())
    wnt = {e["symbol"] for e in index if "WNT" in e["pathways"]}
    assert rows and {r["symbol"] for r in rows} <= wnt
    # the structure-wide queries agree on a gene's images, here where part-of has two paths
    # (wing mesenchyme -> wing -> limb, wing mesenchyme -> limb mesoderm -> limb)
    tissue = {r["symbol"]: r for r in named.run_raw(
        "genes-in-tissue", settings, structure="limb", from_stage="HH20", limit=100_000)}
    facet = named.run_raw("facet-genes-in-tissue", settings, facet="WNT", kind="pathway",
                          structure="limb", from_stage="HH20", limit=100_000)
    assert {r["symbol"] for r in facet} == {s for s in tissue if s in wnt}
    assert all(r["images"] == tissue[r["symbol"]]["images"]
               and sorted(r["stages"]) == sorted(tissue[r["symbol"]]["stages"]) for r in facet)
    # a large facet in a structure with many parts: the same genes, images and stages as
    # genes-in-tissue keeps for the facet's members, and no more work than genes-in-tissue
    # does itself (the text before 2026-12-03 paired every facet gene with every part: 1.3M
    # db hits for Neural in heart, 53x genes-in-tissue's)
    neural = {e["symbol"] for e in index if "Neural" in e["systems"]}
    heart = {"structure": "heart", "from_stage": "HH10", "to_stage": "HH20", "limit": 100_000}
    tissue_heart = {r["symbol"]: r for r in named.run_raw("genes-in-tissue", settings, **heart)}
    facet = named.run_raw("facet-genes-in-tissue", settings, facet="Neural", kind="system",
                          **heart)
    assert len(facet) > 500
    assert {r["symbol"] for r in facet} == {s for s in tissue_heart if s in neural}
    assert all(r["images"] == tissue_heart[r["symbol"]]["images"]
               and sorted(r["stages"]) == sorted(tissue_heart[r["symbol"]]["stages"])
               for r in facet)
    first_100 = heart | {"limit": 100}  # beyond the edges, each row reads its facets
    hits = {name: db_hits(profile_named(release_29, settings, name, given))
            for name, given in (
        ("genes-in-tissue", first_100),
        ("facet-genes-in-tissue", first_100 | {"facet": "Neural", "kind": "system"}))}
    assert hits["facet-genes-in-tissue"] < 2 * hits["genes-in-tissue"], hits
    phenotype = named.run_raw("phenotype-orthologs", settings, structure="limb",
                              from_stage="HH20", limit=100_000)
    assert phenotype and all(r["images"] == tissue[r["symbol"]]["images"] for r in phenotype)
    with pytest.raises(named.QueryError):
        named.run_raw("facet-genes-in-tissue", settings, facet="WNT", kind="pathways",
                      structure="heart")
    with pytest.raises(named.QueryError):
        named.run_raw("phenotype-orthologs", settings, structure="heart", mim_id="OMIM-1")


# How facet-genes-in-tissue sums a facet's images (its text explains): from the genes' own
# edges, or from the structure's site lists keeping the facet's entries by a list of their
# ranks, or by looking the genes in range up in image order until `limit` are facet genes.
ROUTE = """MATCH (f:Facet {name_lower: toLower($facet)}) WHERE f.kind = $kind
WITH sum(COUNT { (f)<-[:IN_FACET]-() }) AS members
MATCH (:AnatomicalStructure {key: $structure})<-[:PART_OF*0..]-(a:AnatomicalStructure)
WITH members, collect(DISTINCT a) AS parts
RETURN members, reduce(n = 0, a IN parts | n + COUNT { (a)<-[:EXPRESSED_IN]-() }) AS n"""


def facet_route(driver: Any, settings: Any, facet: str, kind: str, structure: str,
                limit: int) -> str:
    row = db.run_read(driver, settings, ROUTE, {"facet": facet, "kind": kind,
                                                "structure": structure})[0]
    members, edges = row["members"], row["n"]
    if members * 40 < edges:
        return "edges"
    return "rank list" if members * members < 25 * limit * edges else "lookups"


@pytest.mark.slow
@pytest.mark.parametrize(("facet", "kind", "structure", "stages", "limit", "route"), [
    ("WNT", "pathway", "limb", ("HH20", None), 100, "edges"),
    ("Neural", "system", "heart", ("HH10", "HH20"), 100, "rank list"),
    ("Transcription Factor", "category", "head-mesenchyme", ("HH4", "HH12"), 100,
     "rank list"),
    ("Neural", "system", "heart", ("HH10", "HH20"), 5, "lookups"),
    ("Neural", "system", "neural-plate-tube", (None, None), 3, "lookups"),
    ("Cardiovascular", "system", "midbrain", ("HH20", "HH36"), 10, "lookups"),
])
def test_real_release_facet_routes_answer_as_genes_in_tissue(
        release_29: Any, settings: Any, facet: str, kind: str, structure: str,
        stages: tuple[str | None, str | None], limit: int, route: str) -> None:
    """Each route gives genes-in-tissue's answer kept to the facet's genes (gene_index.json),
    in its order, cut at `limit`: the same genes, images and stages. The route is asserted
    too, so that a change of the data cannot leave one untested."""
    assert facet_route(release_29, settings, facet, kind, structure, limit) == route
    index = json.loads((RELEASE_29 / "data/gene_index.json").read_text())
    field = {"system": "systems", "pathway": "pathways", "category": "categories"}[kind]
    members = {e["symbol"] for e in index if facet in e[field]}
    given = {"structure": structure, "from_stage": stages[0], "to_stage": stages[1]}
    tissue = named.run_raw("genes-in-tissue", settings, **given, limit=100_000)
    expected = [(r["symbol"], r["images"], r["stages"]) for r in tissue
                if r["symbol"] in members][:limit]
    rows = named.run_raw("facet-genes-in-tissue", settings, **given, facet=facet, kind=kind,
                         limit=limit)
    assert expected
    assert [(r["symbol"], r["images"], r["stages"]) for r in rows] == expected
    assert all(f"{kind}:{facet}" in r["facets"] for r in rows)


@pytest.mark.slow
def test_real_releases_sync_both_ways_with_data(release_29: Any, settings: Any) -> None:
    if not RELEASE_24.exists():
        pytest.skip("shared corpus not found")
    """29 -> 24 == fresh 24 and 24 -> 29 == fresh 29, pages and data files together."""
    fresh_29 = graph_dump.dump(release_29, settings)
    mark_loaded(None)
    back = ingest(RELEASE_24)  # deletes the 13 pages 2025-11-24 does not have
    assert back.pages_deleted == 13 and back.pages_failed == 0
    over = graph_dump.dump(release_29, settings)
    fresh_24 = fresh_dump(release_29, settings, RELEASE_24)
    assert_same(over, fresh_24)
    forward = ingest(RELEASE_29)
    assert forward.pages_loaded == 2653 + 13 and forward.pages_failed == 0
    assert forward.pages_unchanged == 2730 - 2653 - 13
    assert_same(graph_dump.dump(release_29, settings), fresh_29)
    mark_loaded(RELEASE_29)  # exactly a fresh load of 2025-11-29 again
