"""The 2025-11-29 corpus in a real Neo4j: counts reconciled against the YAML, re-runs
identical, and every page's front matter rebuilt from the graph alone.

Expected numbers are computed here straight from the pages with PyYAML, not with the
pipeline's own code, so the test cannot agree with a bug by construction.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.load import db
from pipeline.queries import graph_dump
from pipeline.queries.export import all_paths, export_page
from tests.conftest import CURRENT, chunk_plans, reference_dump, scans

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@cache
def pages(folder: Path = CURRENT) -> dict[str, dict[str, Any]]:
    out = {}
    for path in sorted(folder.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        out[path.name] = yaml.load(text.split("---", 2)[1], Loader=yaml.CSafeLoader)
    return out


def count(driver: Any, settings: Any, query: str, **params: Any) -> int:
    return db.run_read(driver, settings, query, params)[0]["n"]


def test_every_page_and_gene_is_loaded(current_graph: Any, settings: Any) -> None:
    expected = len(pages())
    assert expected == 2730
    assert count(current_graph, settings, "MATCH (p:Page) RETURN count(p) AS n") == expected
    assert count(current_graph, settings,
                 "MATCH (:Page)-[:DESCRIBES]->(g:Gene)-[:IN_SPECIES]->(:Species {taxon_id: 9031}) "
                 "RETURN count(DISTINCT g) AS n") == expected


def test_every_image_entry_survives(current_graph: Any, settings: Any) -> None:
    entries = [img for fm in pages().values() for img in fm.get("images") or []]
    urls = {img["image_url"] for img in entries}
    assert (len(entries), len(urls)) == (46801, 46701)
    assert count(current_graph, settings, "MATCH (i:Image) RETURN count(i) AS n") == len(entries)
    assert count(current_graph, settings,
                 "MATCH (i:Image) RETURN count(DISTINCT i.image_url) AS n") == len(urls)
    assert count(current_graph, settings,
                 "MATCH (:Gene)-[:HAS_IMAGE]->(i:Image) RETURN count(i) AS n") == len(entries)


def test_every_image_has_exactly_one_stage(current_graph: Any, settings: Any) -> None:
    assert count(current_graph, settings,
                 "MATCH (i:Image) WHERE COUNT { (i)-[:AT_STAGE]->(:DevelopmentalStage) } <> 1 "
                 "RETURN count(i) AS n") == 0


def test_image_location_mentions(current_graph: Any, settings: Any) -> None:
    mentions = sum(
        len([t for t in (img.get("location") or "").split(",") if t.strip()])
        for fm in pages().values() for img in fm.get("images") or []
    )
    assert mentions == 124216
    assert count(current_graph, settings,
                 "MATCH (:Image)-[s:SHOWS]->(:AnatomicalStructure) RETURN count(s) AS n"
                 ) == mentions


def test_ortholog_genes_by_species_and_ncbi_id(current_graph: Any, settings: Any) -> None:
    species_of = {"Human": 9606, "Mouse": 10090, "Xenopus": 8353, "Zebrafish": 7955,
                  "Fruit Fly": 7227}
    distinct = {
        (species_of[row["species"]], ident.strip())
        for fm in pages().values() for row in fm.get("orthologs") or []
        for ident in (row.get("entrez") or "").split(",") if ident.strip()
    }
    assert len(distinct) == 9051
    got = db.run_read(current_graph, settings,
                      "MATCH (g:Gene)-[:IN_SPECIES]->(s:Species) "
                      "WHERE g.ncbi_id IS NOT NULL AND s.taxon_id <> 9031 "
                      "RETURN s.taxon_id AS taxon, g.ncbi_id AS id")
    assert {(r["taxon"], r["id"]) for r in got} == distinct
    rows = sum(len(fm.get("orthologs") or []) for fm in pages().values())
    assert count(current_graph, settings,
                 "MATCH (r:OrthologRow) RETURN count(r) AS n") == rows == 10314


def test_comma_joined_ids_become_separate_genes(current_graph: Any, settings: Any) -> None:
    got = db.run_read(current_graph, settings,
                      "MATCH (:Gene {symbol: 'ALAS2'})-[:ORTHOLOG_OF]->(o:Gene)-[:IN_SPECIES]->"
                      "(:Species {taxon_id: 8353}) RETURN o.ncbi_id AS id ORDER BY id")
    assert [r["id"] for r in got] == ["444480", "493434"]


def test_expression_edges_match_the_pages(current_graph: Any, settings: Any) -> None:
    """(gene, structure, stage) triples: recomputed here with the curated vocabularies."""
    from pipeline.transform.vocab.anatomy import load_anatomy, split_location
    from pipeline.transform.vocab.stages import load_stage_table

    anatomy, stages = load_anatomy(), load_stage_table()
    expected: Counter[tuple[str, str, str]] = Counter()
    for fm in pages().values():
        per_triple: dict[tuple[str, str, str], set[int]] = {}
        for position, img in enumerate(fm.get("images") or []):
            stage = stages.resolve(img.get("stage")).key
            for term in split_location(img.get("location")):
                res = anatomy.resolve(term)
                if res.kind == "structure":
                    per_triple.setdefault((fm["symbol"], res.key, stage), set()).add(position)
        for triple, positions in per_triple.items():
            expected[triple] = len(positions)
    got = db.run_read(current_graph, settings,
                      "MATCH (g:Gene)-[e:EXPRESSED_IN]->(a:AnatomicalStructure) "
                      "RETURN g.symbol AS s, a.key AS a, e.stage_key AS st, e.image_count AS n, "
                      "e.site AS site")
    assert Counter({(r["s"], r["a"], r["st"]): r["n"] for r in got}) == expected
    assert all(r["site"] == f"{r['a']} @ {r['st']}" for r in got)
    # what coexpressed and the (:Site) derivation rely on instead of label tests
    odd = db.run_read(current_graph, settings,
                      "MATCH (x)-[e:EXPRESSED_IN]->(y) "
                      "WHERE NOT x:Gene OR NOT y:AnatomicalStructure RETURN count(e) AS n")
    assert odd == [{"n": 0}]


def test_sites_list_the_genes_of_their_edges_by_rank(current_graph: Any, settings: Any) -> None:
    """(:Site) nodes (cypher/load/sites.cypher) as recomputed here from the edges: a gene's
    rank is its position in (symbol, key) order among the genes with EXPRESSED_IN edges, each
    site lists the ranks of the genes with an edge at it, ascending, with each edge's image
    count beside it, their distinct genes and images in total, and its stage's ordinal (what
    stage-atlas reads), and the entries of genes with an OMIM-linked ortholog apart (what
    phenotype-orthologs sums for any entry); and a site's edges end at one structure (its
    key's prefix)."""
    edges = db.run_read(current_graph, settings,
                        "MATCH (g:Gene)-[e:EXPRESSED_IN]->(a) "
                        "RETURN g.key AS gene, g.symbol AS symbol, e.site AS site, "
                        "e.image_count AS images, a.key AS structure, g.site_rank AS rank, "
                        "e.stage_ordinal AS ordinal")
    order = sorted({(r["symbol"] is None, r["symbol"] or "", r["gene"]) for r in edges})
    rank = {gene: position for position, (*_, gene) in enumerate(order)}  # nulls last
    assert all(r["rank"] == rank[r["gene"]] for r in edges)
    entries: dict[str, list[tuple[int, int]]] = {}
    structures: dict[str, set[str]] = {}
    site_ordinals: dict[str, set[float | None]] = {}
    for r in edges:
        entries.setdefault(r["site"], []).append((rank[r["gene"]], r["images"]))
        structures.setdefault(r["site"], set()).add(r["structure"])
        site_ordinals.setdefault(r["site"], set()).add(r["ordinal"])
    assert all(len(found) == 1 for found in site_ordinals.values())  # one stage per site
    ordinals = {site: found.pop() for site, found in site_ordinals.items()}
    assert None in ordinals.values()  # a stage without an ordinal: its sites carry none
    omim = {rank[r["gene"]] for r in db.run_read(
        current_graph, settings, "MATCH (g:Gene)-[:ORTHOLOG_OF]->()-[:HAS_PHENOTYPE]->"
        "(:OmimEntry) RETURN DISTINCT g.key AS gene") if r["gene"] in rank}  # expressed ones
    expected = {site: ([n for n, _ in sorted(pairs)], [c for _, c in sorted(pairs)],
                       len({n for n, _ in pairs}), sum(c for _, c in pairs), ordinals[site],
                       [n for n, _ in sorted(pairs) if n in omim],
                       [c for n, c in sorted(pairs) if n in omim])
                for site, pairs in entries.items()}
    assert all(found == {site.split(" @ ", 1)[0]} for site, found in structures.items())
    sites = db.run_read(current_graph, settings,
                        "MATCH (s:Site) RETURN s.key AS key, s.gene_ranks AS ranks, "
                        "s.image_counts AS counts, s.gene_count AS genes, "
                        "s.image_total AS images, s.stage_ordinal AS ordinal, "
                        "s.omim_gene_ranks AS omim_ranks, s.omim_image_counts AS omim_counts")
    assert {r["key"]: (r["ranks"], r["counts"], r["genes"], r["images"], r["ordinal"],
                       r["omim_ranks"], r["omim_counts"]) for r in sites} == expected
    assert len(sites) > 1000 and any(max(counts) > 1 for _, counts, *_ in expected.values())
    listed = sum(len(found[5]) for found in expected.values())  # OMIM-linked entries
    assert 0.05 * len(edges) < listed < 0.5 * len(edges), (listed, len(edges))
    stray = db.run_read(current_graph, settings,
                        "MATCH (g:Gene) WHERE g.site_rank IS NOT NULL "
                        "AND NOT EXISTS { (g)-[:EXPRESSED_IN]->() } RETURN count(g) AS n")
    assert stray == [{"n": 0}]


def test_chunk_statements_seek_on_the_whole_corpus(current_graph: Any, settings: Any) -> None:
    """Planned afresh on the loaded corpus, the chunk statements still seek every node they
    read (their first plan is kept: pipeline/load/writer.py; test_sync compares an empty
    graph's plans with a loaded one's)."""
    assert scans(chunk_plans(current_graph, settings)) == {}


def test_heart_between_hh10_and_hh20_is_one_query(current_graph: Any, settings: Any) -> None:
    rows = db.run_read(current_graph, settings,
                       "MATCH (a:AnatomicalStructure {key: 'heart'})<-[e:EXPRESSED_IN]-(g:Gene) "
                       "WHERE 24 <= e.stage_ordinal <= 34 RETURN count(DISTINCT g) AS n")
    assert rows[0]["n"] > 0


def test_reingest_unchanged_corpus_writes_nothing(
    current_graph: Any, settings: Any
) -> None:
    from pipeline.flow.flows import ingest_flow

    before = reference_dump(current_graph, settings, CURRENT)
    summary = ingest_flow(str(CURRENT))
    assert (summary.pages_unchanged, summary.pages_loaded) == (2730, 0)
    assert graph_dump.dump(current_graph, settings) == before


def _normalised_source(fm: dict[str, Any]) -> dict[str, Any]:
    """The documented normalisation: spaces (incl. non-breaking) in keys are folded."""
    def fold(value: Any) -> Any:
        if isinstance(value, dict):
            return {" ".join(str(k).replace("\u00a0", " ").split()): fold(v)
                    for k, v in value.items()}
        if isinstance(value, list):
            return [fold(v) for v in value]
        return value
    return fold(fm)


def test_export_round_trip_for_every_page(current_graph: Any, settings: Any) -> None:
    source = pages()
    assert all_paths(current_graph, settings) == sorted(source)
    mismatches = []
    for path, fm in source.items():
        [(_, front)] = export_page(current_graph, settings, path=path)
        expected = _normalised_source(fm)
        if front != expected or list(front) != list(expected):
            mismatches.append(path)
    assert not mismatches, f"{len(mismatches)} pages differ, e.g. {mismatches[:5]}"


def test_export_keeps_dates_nulls_and_order(current_graph: Any, settings: Any) -> None:
    [(_, cdon)] = export_page(current_graph, settings, symbol="CDON")
    assert cdon["date"] == dt.date(2023, 1, 1)
    assert cdon["images"][0]["location"] is None
    [(_, alas2)] = export_page(current_graph, settings, symbol="ALAS2")
    assert alas2["orthologs"][3]["entrez"] == "493434,444480"
    assert alas2["template_length"] == "823"
