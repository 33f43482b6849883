"""Every named query on the loaded 2025-11-29 corpus, against answers computed here from the
YAML pages (PyYAML + the curated vocabularies), never from the graph."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pytest
import yaml

from bench.common import (
    db_hits,
    operator_details,
    operator_name,
    plan_operators,
    plan_steps,
    profile_named,
)
from pipeline.errors import ChickGraphError
from pipeline.load import db
from pipeline.queries import named
from pipeline.transform.vocab.anatomy import load_anatomy, split_location
from pipeline.transform.vocab.stages import load_stage_table
from tests.conftest import CURRENT, checked_in_threads
from tests.integration.test_cli import cli

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ALL = 100_000  # a limit above any answer's size (structure-wide queries default to 100 rows)
TAXA = {"Human": 9606, "Mouse": 10090, "Xenopus": 8353, "Zebrafish": 7955, "Fruit Fly": 7227}


@dataclass
class Corpus:
    # symbol -> (structure key, stage key) -> image positions
    expression: dict[str, dict[tuple[str, str], set[int]]] = field(default_factory=dict)
    # symbol -> {(taxon, ncbi id)}
    orthologs: dict[str, set[tuple[int, str]]] = field(default_factory=dict)
    # symbol -> ensembl ids named in its ortholog rows, with the NCBI ids of the row
    ensembl: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    images: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@cache
def corpus() -> Corpus:
    anatomy, stages = load_anatomy(), load_stage_table()
    out = Corpus()
    for path in sorted(CURRENT.glob("*.md")):
        fm = yaml.load(path.read_text(encoding="utf-8").split("---", 2)[1],
                       Loader=yaml.CSafeLoader)
        symbol = fm["symbol"]
        triples: dict[tuple[str, str], set[int]] = defaultdict(set)
        for position, image in enumerate(fm.get("images") or []):
            stage = stages.resolve(image.get("stage")).key
            for term in split_location(image.get("location")):
                res = anatomy.resolve(term)
                if res.kind == "structure":
                    triples[(res.key, stage)].add(position)
        out.expression[symbol] = dict(triples)
        out.images[symbol] = list(fm.get("images") or [])
        pairs, ens = set(), set()
        for row in fm.get("orthologs") or []:
            ids = [i.strip() for i in (row.get("entrez") or "").split(",") if i.strip()]
            pairs |= {(TAXA[row["species"]], i) for i in ids}
            for e in (row.get("ensembl") or "").split(","):
                if e.strip():
                    ens |= {(e.strip(), i) for i in ids}
        out.orthologs[symbol] = pairs
        out.ensembl[symbol] = ens
    return out


def operator_rows(plan: dict[str, Any], operator: str, details: str) -> list[int]:
    """Rows of each operator of this type and details in a PROFILE plan, in pre-order."""
    return [int(step.get("rows", 0)) for step in plan_steps(plan)
            if operator_name(step) == operator
            and operator_details(step) == details]


def images_summed(plan: dict[str, Any]) -> int:
    """Edge `image_count`s a plan reads from the store: the db hits of every step that names
    the property, but for the index seeks (whose values come with the entries); a (:Site)'s
    `image_counts` list is not one."""
    return sum(int(step.get("dbHits", 0)) for step in plan_steps(plan)
               if re.search(r"\bimage_count\b", operator_details(step))
               and operator_name(step) != "DirectedRelationshipIndexSeek")


def sites_read(plan: dict[str, Any], seek: str) -> int:
    """Rows of a plan's seeks of (:Site) nodes by key: `NodeUniqueIndexSeek` (one site per
    part and stage in range) or `NodeUniqueIndexSeekByRange` (every site of a part)."""
    return sum(int(step.get("rows", 0)) for step in plan_steps(plan)
               if operator_name(step) == seek and "site:Site(key)" in operator_details(step))


def ordinal(stage_key: str) -> float | None:
    return load_stage_table().resolve(stage_key).ordinal


def in_range(stage_key: str, low: float | None, high: float | None) -> bool:
    value = ordinal(stage_key)
    if low is None and high is None:
        return True
    return value is not None and (low is None or value >= low) and (high is None or value <= high)


def expression_in(structure: str, parts: bool, low: float | None = None,
                  high: float | None = None) -> dict[str, dict[tuple[str, str], set[int]]]:
    """Per gene expressed in the structure (with its parts) in the range: its (structure key,
    stage key) pairs there, each with the positions of the images showing it."""
    keys = load_anatomy().descendants(structure) if parts else {structure}
    out: dict[str, dict[tuple[str, str], set[int]]] = {}
    for symbol, triples in corpus().expression.items():
        kept = {(a, st): pos for (a, st), pos in triples.items()
                if a in keys and in_range(st, low, high)}
        if kept:
            out[symbol] = kept
    return out


def genes_in(structure: str, parts: bool, low: float | None = None, high: float | None = None
             ) -> dict[str, int]:
    return {symbol: sum(len(pos) for pos in kept.values())
            for symbol, kept in expression_in(structure, parts, low, high).items()}


def seen_in(structure: str, parts: bool, low: float | None = None, high: float | None = None
            ) -> dict[str, tuple[list[str], list[str]]]:
    """Per gene in range: the names of the structures and the stage keys it is seen at there,
    sorted as genes-in-tissue gives them (names; stages by ordinal, those without one last)."""
    anatomy = load_anatomy()
    out: dict[str, tuple[list[str], list[str]]] = {}
    for symbol, kept in expression_in(structure, parts, low, high).items():
        names = sorted({anatomy.get(a).name for a, _ in kept})  # type: ignore[union-attr]
        stages = sorted({st for _, st in kept}, key=lambda st: (
            ordinal(st) is None, ordinal(st) or 0.0, st))
        out[symbol] = (names, stages)
    return out


@pytest.mark.parametrize("symbol", ["ALAS2", "FGF8", "CDON"])
def test_gene_expression(current_graph: Any, symbol: str) -> None:
    rows = named.run("gene-expression", symbol=symbol)
    got = {(r.structure_key, r.stage): r.images for r in rows}
    assert got == {k: len(v) for k, v in corpus().expression[symbol].items()}
    ordinals = [r.stage_ordinal for r in rows if r.stage_ordinal is not None]
    assert ordinals == sorted(ordinals)


@pytest.mark.parametrize(("structure", "parts", "low", "high"), [
    ("heart", True, "HH10", "HH20"),
    ("Brain", True, None, None),
    ("somites", False, "stage 10", "stage 14"),
    ("Ear/Otic Placcode", False, None, None),
    # wing and leg mesenchyme are part of limb along two paths: each edge counts once
    ("limb", True, None, None),
    ("limb", True, "HH20", "HH28"),
    # one-sided ranges: stages without an ordinal stay out, as with both bounds
    ("heart", True, "HH30", None),
    ("somites", False, None, "HH14"),
])
def test_genes_in_tissue(current_graph: Any, structure: str, parts: bool, low: str | None,
                         high: str | None) -> None:
    key = load_anatomy().key_for(structure)
    table = load_stage_table()
    low_ordinal, high_ordinal = low and table.ordinal_of(low), high and table.ordinal_of(high)
    expected = genes_in(key, parts, low_ordinal, high_ordinal)
    rows = named.run("genes-in-tissue", structure=structure, include_parts=parts,
                       from_stage=low, to_stage=high, limit=ALL)
    assert {r.symbol: r.images for r in rows} == expected
    assert len(expected) > 10
    assert [r.images for r in rows] == sorted((r.images for r in rows), reverse=True)
    assert {r.symbol: (r.structures, r.stages) for r in rows} == seen_in(
        key, parts, low_ordinal, high_ordinal)


@pytest.mark.parametrize(("symbol", "species"), [("ALAS2", None), ("ALAS2", "xenopus"),
                                                 ("SHH", "human"), ("FGF8", "zebrafish")])
def test_orthologs(current_graph: Any, symbol: str, species: str | None) -> None:
    rows = named.run("orthologs", symbol=symbol, species=species)
    expected = {p for p in corpus().orthologs[symbol]
                if species is None or p[0] == named.convert(
                    named.get("orthologs").param("species"), species)}
    assert {(r.taxon_id, r.ncbi_id) for r in rows if r.ncbi_id} == expected
    assert expected


# `scan_from`: below it a structure-wide query starts from the genes in range, from it on it
# walks an index in its answer's order; 0 takes the walk, 10**9 the genes in range (the
# default is the one or the other by the answer's size: test_structure_wide_queries_...)
IN_RANGE = 10**9
PLANS = pytest.mark.parametrize("scan_from", [IN_RANGE, 0], ids=["genes-in-range", "index-walk"])


@PLANS
@pytest.mark.parametrize(("structure", "species", "low", "high"), [
    ("heart", "human", "HH10", "HH20"),
    ("brain", "mouse", None, "HH12"),
])
def test_ortholog_genes_in_tissue(current_graph: Any, structure: str, species: str,
                                  low: str | None, high: str | None,
                                  scan_from: int | None) -> None:
    table = load_stage_table()
    taxon = {"human": 9606, "mouse": 10090}[species]
    chick = genes_in(structure, True, low and table.ordinal_of(low),
                     high and table.ordinal_of(high))
    expected: dict[str, set[str]] = defaultdict(set)
    for symbol in chick:
        for tax, ncbi in corpus().orthologs[symbol]:
            if tax == taxon:
                expected[ncbi].add(symbol)
    rows = named.run("ortholog-genes-in-tissue", structure=structure, species=species,
                       from_stage=low, to_stage=high, limit=ALL, scan_from=scan_from)
    got = {r.ncbi_id: set(r.chick_genes) for r in rows if r.ncbi_id}
    assert got == expected and len(expected) > 20


def test_long_answers_keep_rows_small(current_graph: Any, driver: Any, settings: Any) -> None:
    """coexpressed, genes-in-tissue and phenotype-orthologs rank counts before reading genes.
    A top-n keeps whole rows, with every list in scope: ranking coexpressed's counts first and
    then keeping the genes at or above the limit-th count held the list of every count in each
    row, and phenotype-orthologs ranked inside a call that held its list of linked genes in
    each row. At 25x, coexpressed with limit 1000 and phenotype-orthologs with 10,000 ran out
    of the 1.4 GiB transaction memory. Here, at 1x, those texts held 176 and 6.1 MiB in one
    operator; the largest now is genes-in-tissue's top-n (its parts in each row), 2.1 MiB."""
    for name, given in (("coexpressed", {"symbol": "ALAS2", "limit": 1000}),
                        ("genes-in-tissue", {"structure": "nervous-system", "limit": ALL}),
                        ("phenotype-orthologs", {"structure": "nervous-system", "limit": ALL})):
        plan = profile_named(driver, settings, name, given)
        assert plan is not None
        memory = {operator_details(step) or operator_name(step):
                  int(step.get("args", {}).get("Memory", 0)) for step in plan_steps(plan)}
        assert int(plan.get("rows", 0)) > 300, name
        assert 0 < max(memory.values()) < 4 * 2**20, (name, memory)  # 0: not tracked


@pytest.mark.parametrize("identifier", ["211", "ENSG00000023330", "ENSMUSG00000032786"])
def test_chick_expression_of(current_graph: Any, identifier: str) -> None:
    chick = {s for s, pairs in corpus().orthologs.items() if any(i == identifier for _, i in pairs)}
    chick |= {s for s, ens in corpus().ensembl.items() if any(e == identifier for e, _ in ens)}
    assert chick
    expected = {(s, a, st): len(pos) for s in chick
                for (a, st), pos in corpus().expression[s].items()}
    rows = named.run("chick-expression-of", id=identifier)
    anatomy = load_anatomy()
    got = {(r.chick_symbol, anatomy.key_for(r.structure), r.stage): r.images for r in rows}
    assert got == expected


@pytest.mark.parametrize("symbol", ["ALAS2", "CDON", "FGF8", "AAK1", "SOX6"])
def test_coexpressed(current_graph: Any, symbol: str) -> None:
    mine = set(corpus().expression[symbol])
    shared = Counter({other: len(mine & set(triples))
                      for other, triples in corpus().expression.items() if other != symbol})
    ranked = sorted(((n, s) for s, n in shared.items() if n > 0), key=lambda x: (-x[0], x[1]))
    rows = named.run("coexpressed", symbol=symbol, limit=25)
    assert [(r.shared_pairs, r.symbol) for r in rows] == ranked[:25]


# coexpressed as it read the edges before (:Site) nodes existed: the spec the lists must meet
COEXPRESSED_FROM_EDGES = """
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[e1:EXPRESSED_IN]->()
WITH g, e1.site AS site
MATCH (other)-[e2:EXPRESSED_IN]->()
WHERE e2.site = site AND other <> g
WITH other, count(*) AS shared_pairs
RETURN other.symbol AS symbol, shared_pairs
ORDER BY shared_pairs DESC, symbol
LIMIT $limit
"""


def test_coexpressed_answers_as_the_edges_do_for_every_gene(current_graph: Any,
                                                            settings: Any) -> None:
    """Every chicken symbol of the release (and a symbol two pages share, if any), at the
    default limit and at limits that cut through ties: the same rows, in the same order."""
    symbols = [r["s"] for r in db.run_read(
        current_graph, settings, "MATCH (:Page)-[:DESCRIBES]->(g:Gene) "
        "RETURN DISTINCT g.symbol AS s ORDER BY s")]
    assert len(symbols) > 2500

    def check(indexed: tuple[int, str]) -> int:
        index, symbol = indexed
        compared = 0
        for limit in ((25, 3, 1000) if index % 50 == 0 else (25,)):
            given = {"symbol": symbol, "limit": limit}
            expected = db.run_read(current_graph, settings, COEXPRESSED_FROM_EDGES, given)
            rows = named.run("coexpressed", **given)
            assert [(r.symbol, r.shared_pairs) for r in rows] == [
                (e["symbol"], e["shared_pairs"]) for e in expected], given
            compared += bool(expected)
        return compared

    assert checked_in_threads(check, enumerate(symbols)) > 2000


# genes-in-tissue read from the edges themselves: the spec the (:Site) lists must meet (ties
# in (symbol, key) order, as the site ranks give them)
GENES_IN_TISSUE_FROM_EDGES = """
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a
MATCH (g)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH g, sum(e.image_count) AS images
ORDER BY images DESC, g.symbol, g.key
LIMIT $limit
RETURN g.symbol AS symbol, g.name AS name, images
"""


def test_genes_in_tissue_answers_as_the_edges_do_for_every_structure(current_graph: Any,
                                                                     settings: Any) -> None:
    """Every structure with expression, with and without its parts, without a range and with
    three (one of them one-sided on each side), with every row and (for every tenth structure)
    with a limit that cuts through ties: the same genes, images and order as the edges give."""
    structures = [r["k"] for r in db.run_read(
        current_graph, settings, "MATCH (a:AnatomicalStructure) "
        "WHERE EXISTS { ()-[:EXPRESSED_IN]->(a) } RETURN a.key AS k ORDER BY k")]
    assert len(structures) > 100
    spec = named.get("genes-in-tissue")

    def check(indexed: tuple[int, str]) -> int:
        index, structure = indexed
        compared = 0
        for parts in (True, False):
            for low, high in ((None, None), ("HH10", "HH20"), ("HH20", None), (None, "HH12")):
                for limit in ((ALL, 5) if index % 10 == 0 else (ALL,)):
                    given = named.bind(spec, {"structure": structure, "include_parts": parts,
                                              "from_stage": low, "to_stage": high,
                                              "limit": limit})
                    expected = db.run_read(current_graph, settings, GENES_IN_TISSUE_FROM_EDGES,
                                           given)
                    rows = db.run_read(current_graph, settings, spec.text, given)
                    assert [(r["symbol"], r["name"], r["images"]) for r in rows] == [
                        (e["symbol"], e["name"], e["images"]) for e in expected], given
                    compared += bool(expected)
        return compared

    assert checked_in_threads(check, enumerate(structures)) > 500


PHENOTYPES_OF = """
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})-[:ORTHOLOG_OF]->(o:Gene)
      -[:HAS_PHENOTYPE]->(t)
WHERE CASE WHEN $process IS NULL THEN t:OmimEntry AND ($mim_id IS NULL OR t.mim_id = $mim_id)
           ELSE t:ProcessTerm AND toLower(t.name) CONTAINS toLower($process) END
RETURN o.key AS ortholog, coalesce(t.mim_id, t.name) AS phenotype
"""


@pytest.mark.parametrize("given", [
    {"structure": "heart", "from_stage": "HH10", "to_stage": "HH20"},
    {"structure": "limb"},  # part-of with two paths: each edge counts once
    {"structure": "heart", "include_parts": False, "from_stage": "HH20"},
    {"structure": "neural-plate-tube", "process": "heart"},
    {"structure": "heart", "mim_id": "most common"},
])
def test_phenotype_orthologs(current_graph: Any, driver: Any, settings: Any,
                             given: dict[str, Any]) -> None:
    """The rows of genes-in-tissue (checked against the pages above) whose chick gene has an
    ortholog carrying the phenotype, in the same order with the same images, each with the
    orthologs and phenotypes a plain per-gene lookup finds."""
    given = dict(given)

    def lookup(symbol: str) -> tuple[list[str], list[str]]:
        with driver.session(database=settings.neo4j.database) as session:
            found = [r.data() for r in session.run(
                PHENOTYPES_OF, symbol=symbol, mim_id=given.get("mim_id"),
                process=given.get("process"))]
        return (sorted({r["ortholog"] for r in found}),
                sorted({r["phenotype"] for r in found}))

    tissue = named.run_raw("genes-in-tissue", **{k: v for k, v in given.items()
                                                 if k not in ("mim_id", "process")},
                           limit=ALL)
    if given.get("mim_id") == "most common":
        given["mim_id"] = None
        counts = Counter(p for r in tissue for p in lookup(r["symbol"])[1])
        given["mim_id"] = counts.most_common(1)[0][0]
    expected = []
    for row in tissue:
        orthologs, phenotypes = lookup(row["symbol"])
        if phenotypes:
            expected.append((row["symbol"], row["images"], orthologs, phenotypes))
    rows = named.run_raw("phenotype-orthologs", **given, limit=ALL)
    assert [(r["symbol"], r["images"], sorted(r["orthologs"]), sorted(r["phenotypes"]))
            for r in rows] == expected
    assert len(expected) >= 3
    assert named.run_raw("phenotype-orthologs", **given, limit=3) == rows[:3]


@pytest.mark.parametrize("stage", ["HH10", "stage XII", "HH8+"])
def test_stage_atlas(current_graph: Any, stage: str) -> None:
    key = load_stage_table().resolve(stage).key
    genes: dict[str, set[str]] = defaultdict(set)
    images: Counter[str] = Counter()
    for symbol, triples in corpus().expression.items():
        for (a, st), positions in triples.items():
            if st == key:
                genes[a].add(symbol)
                images[a] += len(positions)
    rows = named.run("stage-atlas", stage=stage)
    assert {r.structure_key: (r.genes, r.images) for r in rows} == {
        a: (len(g), images[a]) for a, g in genes.items()}


def test_sites_of_a_stage_range_are_exactly_its_edges(current_graph: Any, driver: Any,
                                                      settings: Any) -> None:
    """genes-in-tissue, phenotype-orthologs, ortholog-genes-in-tissue and conserved-orthologs
    find the edges of a structure in a stage range as the `site` values "part key @ stage key"
    of the DevelopmentalStages in range, and the first two sum image counts from the (:Site)
    lists of those keys: right only while every edge's site is built that way, its stage node
    carries its ordinal and it counts an image."""
    with driver.session(database=settings.neo4j.database) as session:
        record = session.run(
            "MATCH ()-[e:EXPRESSED_IN]->(a) "
            "OPTIONAL MATCH (s:DevelopmentalStage {key: e.stage_key}) "
            "RETURN count(e) AS edges, "
            "count(CASE WHEN e.site = a.key + ' @ ' + e.stage_key THEN 1 END) AS sites, "
            "count(CASE WHEN e.image_count >= 1 THEN 1 END) AS counted, "
            "count(CASE WHEN s.ordinal = e.stage_ordinal "
            "           OR (s IS NOT NULL AND s.ordinal IS NULL AND e.stage_ordinal IS NULL) "
            "      THEN 1 END) AS staged").single()
    assert record["edges"] > 80_000
    assert record["sites"] == record["staged"] == record["counted"] == record["edges"]


def test_expressed_in_joins_only_genes_to_structures(current_graph: Any, driver: Any,
                                                    settings: Any) -> None:
    """genes-in-tissue, phenotype-orthologs and coexpressed test no label on an
    EXPRESSED_IN edge's ends (a test per edge was up to a tenth of their time at 25x), nor
    phenotype-orthologs on the genes of ORTHOLOG_OF and HAS_PHENOTYPE: right only while every
    such edge joins the nodes the loaders create it between."""
    with driver.session(database=settings.neo4j.database) as session:
        counts = {r["type"]: (r["edges"], r["joined"]) for r in session.run(
            "MATCH (g)-[e:EXPRESSED_IN]->(a) RETURN 'EXPRESSED_IN' AS type, count(e) AS edges, "
            "count(CASE WHEN g:Gene AND a:AnatomicalStructure THEN 1 END) AS joined "
            "UNION ALL MATCH (g)-[e:ORTHOLOG_OF]->(o) RETURN 'ORTHOLOG_OF' AS type, "
            "count(e) AS edges, count(CASE WHEN g:Gene AND o:Gene THEN 1 END) AS joined "
            "UNION ALL MATCH (o)-[e:HAS_PHENOTYPE]->(t) RETURN 'HAS_PHENOTYPE' AS type, "
            "count(e) AS edges, "
            "count(CASE WHEN o:Gene AND (t:OmimEntry OR t:ProcessTerm) THEN 1 END) AS joined")}
    assert counts["EXPRESSED_IN"][0] > 80_000 and counts["ORTHOLOG_OF"][0] > 5_000
    assert counts["HAS_PHENOTYPE"][0] > 1_000
    assert all(edges == joined for edges, joined in counts.values()), counts


def test_plans_read_only_what_the_answer_needs(current_graph: Any, driver: Any,
                                               settings: Any) -> None:
    """What keeps the structure-wide queries fast on a 25x corpus, pinned on the real one:
    `stage-atlas` reads the stage's (:Site) totals, found by their index, and no edge;
    `phenotype-orthologs` reads phenotype lists only for the rows it returns, and
    `genes-in-tissue` reads stages only for the rows it returns."""
    atlas = plan_operators(profile_named(driver, settings, "stage-atlas", {"stage": "HH10"}))
    assert any(op == "NodeIndexSeek" and ":Site(stage_ordinal)" in d for op, d in atlas), atlas
    assert not any("Relationship" in op or op.startswith(("Expand", "VarLength"))
                   for op, _ in atlas), atlas
    few, every = (db_hits(profile_named(driver, settings, "genes-in-tissue",
                                        {"structure": "limb", "limit": limit}))
                  for limit in (5, ALL))
    assert few < 0.75 * every, (few, every)
    # genes-in-tissue, and phenotype-orthologs from the parts, sum image counts from the
    # (:Site) lists, all of a part's or those in range: no edge is read for them, no
    # relationship index sought, no gene read for its label; only the `limit` genes returned
    # are looked up (genes-in-tissue's structures and stages, phenotype-orthologs' phenotypes)
    for name, per_row in (("genes-in-tissue", "g, parts"), ("phenotype-orthologs", "g")):
        for stages, seek in (({}, "NodeUniqueIndexSeekByRange"),
                             ({"from_stage": "HH20", "to_stage": "HH28"}, "NodeUniqueIndexSeek")):
            plan = profile_named(driver, settings, name, {"structure": "limb", "limit": 5,
                                                          **stages})
            operators = plan_operators(plan)
            assert operator_rows(plan, "Argument", per_row) == [5], (name, operators)
            assert not any("RelationshipIndex" in op for op, _ in operators), (name, operators)
            assert images_summed(plan) == 0, (name, operators)
            assert sites_read(plan, seek) > 10, (name, operators)
            assert not any(("g:Gene" in d and op != "NodeIndexSeek")
                           or ("Expand" in op and "(a)<-[e:EXPRESSED_IN]" in d)
                           for op, d in operators), (name, operators)
    # any OMIM entry: the sites' OMIM lists are summed, no gene is found from the OMIM side
    # (a fifth of the genes: 130k db hits at 25x); one OMIM entry's few genes: their own edges
    # are read, not every site's list
    with driver.session(database=settings.neo4j.database) as session:
        mim = session.run("MATCH (:Page)-[:DESCRIBES]->(:Gene)-[:ORTHOLOG_OF]->()"
                          "-[:HAS_PHENOTYPE]->(t:OmimEntry) "
                          "RETURN t.mim_id AS mim ORDER BY mim LIMIT 1").single()["mim"]
    one, any_entry = (profile_named(driver, settings, "phenotype-orthologs", {
        "structure": "neural-plate-tube", "limit": 5, **extra}) for extra in ({"mim_id": mim}, {}))

    def rows_of(plan: dict[str, Any], pattern: str) -> int:
        return sum(int(step.get("rows", 0)) for step in plan_steps(plan)
                   if re.search(pattern, operator_details(step)))

    from_omim_side, list_entries = r"<-\[\w+:HAS_PHENOTYPE\]-", r"^range\(.*\) AS i$"
    genes_edges = r"^\(g\)-\[e:EXPRESSED_IN\]->\(a\)$"
    assert rows_of(any_entry, from_omim_side) == 0 and rows_of(any_entry, genes_edges) == 0
    assert rows_of(any_entry, list_entries) > 100
    assert operator_rows(any_entry, "Argument", "g") == [5]
    assert rows_of(one, list_entries) == 0 and 0 < rows_of(one, genes_edges) < 1000
    assert rows_of(one, from_omim_side) > 0  # the pattern matches what this server prints
    # a process term's many genes ("heart": 88) are kept from the sites' lists instead (their
    # edges would be more entries): test_phenotype_orthologs checks this set's answer
    process = profile_named(driver, settings, "phenotype-orthologs",
                            {"structure": "neural-plate-tube", "process": "heart"})
    assert rows_of(process, list_entries) > 1000 and rows_of(process, genes_edges) == 0
    # the index walk of ortholog-genes-in-tissue and conserved-orthologs (what a dense
    # structure takes at 25x) stops at its limit instead of reading every gene in range
    for name, extra in (("ortholog-genes-in-tissue", {"species": "human"}),
                        ("conserved-orthologs", {"species": "human,mouse"})):
        walk, in_range = (db_hits(profile_named(driver, settings, name, {
            "structure": "neural-plate-tube", "limit": 5, "scan_from": scan_from, **extra}))
            for scan_from in (0, IN_RANGE))
        assert walk < 0.5 * in_range, (name, walk, in_range)


@pytest.mark.parametrize(("symbol", "structure", "stage", "parts"), [
    ("ALAS2", "heart", None, False), ("ALAS2", "heart", "HH10", False),
    ("FGF8", "brain", None, True),
])
def test_evidence(current_graph: Any, symbol: str, structure: str, stage: str | None,
                  parts: bool) -> None:
    anatomy, stages = load_anatomy(), load_stage_table()
    keys = anatomy.descendants(structure) if parts else {structure}
    expected = [
        (position, image["image_url"], image.get("source"))
        for position, image in enumerate(corpus().images[symbol])
        if any(anatomy.resolve(t).key in keys for t in split_location(image.get("location")))
        and (stage is None or stages.resolve(image.get("stage")).key == stage)
    ]
    rows = named.run("evidence", symbol=symbol, structure=structure, stage=stage,
                       include_parts=parts)
    assert [(r.position, r.image_url, r.source) for r in rows] == expected and expected


@PLANS
@pytest.mark.parametrize(("structure", "species", "low", "high"), [
    ("heart", "human,mouse,zebrafish,fly", None, None),
    ("brain", "human,xenopus", "HH10", "HH20"),
])
def test_conserved_orthologs(current_graph: Any, structure: str, species: str,
                             low: str | None, high: str | None, scan_from: int | None) -> None:
    table = load_stage_table()
    taxa = {named.convert(named.get("orthologs").param("species"), s)
            for s in species.split(",")}
    chick = genes_in(structure, True, low and table.ordinal_of(low),
                     high and table.ordinal_of(high))
    expected = {s for s in chick if taxa <= {t for t, _ in corpus().orthologs[s]}}
    rows = named.run("conserved-orthologs", structure=structure, species=species,
                       from_stage=low, to_stage=high, limit=ALL, scan_from=scan_from)
    assert {r.symbol for r in rows} == expected and expected


@pytest.mark.parametrize(("name", "params"), [
    ("genes-in-tissue", {"structure": "neural-plate-tube"}),
    ("ortholog-genes-in-tissue", {"structure": "brain", "species": "human"}),
    ("conserved-orthologs", {"structure": "neural-plate-tube", "species": "human,mouse"}),
])
def test_structure_wide_queries_default_to_their_first_100_rows(
        current_graph: Any, name: str, params: dict[str, str]) -> None:
    everything = named.run_raw(name, **params, limit=ALL)
    assert len(everything) > 100  # the default cuts these answers short
    assert named.get(name).param("limit").default == 100
    assert named.run_raw(name, **params) == everything[:100]
    if any(p.name == "scan_from" for p in named.get(name).params):
        # the index walk stops at the limit: the same first 100 rows from either plan (a
        # row's chick genes sorted: the same list whichever plan collected them)
        for scan_from in (0, IN_RANGE):
            assert named.run_raw(name, **params, scan_from=scan_from) == everything[:100]


@pytest.mark.parametrize(("params", "walks"), [
    ({"structure": "neural-plate-tube"}, True),  # 1,600 genes in range
    ({"structure": "brain", "from_stage": "HH10", "to_stage": "HH20"}, True),
    ({"structure": "pharyngeal-arches", "from_stage": "HH4", "to_stage": "HH12"}, False),
    ({"structure": "neural-plate-tube", "limit": ALL}, False),  # the walk would pass them all
])
def test_ortholog_genes_in_tissue_walks_by_default_when_that_reads_less(
        current_graph: Any, driver: Any, settings: Any, params: dict[str, Any],
        walks: bool) -> None:
    """By default the index walk is taken from sqrt(2 x limit x the species' genes) chick
    genes in range on (680 for human with limit 100 at 1x), where the two plans cost about the
    same: a dense structure walks, a sparse one or a long answer reads the genes in range,
    whichever of the two reads fewer db hits; the default reads fewer than the other one (it
    collects the genes in range to count them first), and all three give the same rows."""
    given = {"species": "human", **params}
    default, walk, in_range = (profile_named(driver, settings, "ortholog-genes-in-tissue",
                                             given | extra)
                               for extra in ({}, {"scan_from": 0}, {"scan_from": IN_RANGE}))
    species_walked = sum(int(step.get("rows", 0)) for step in plan_steps(default)
                         if operator_name(step).startswith("NodeIndexSeek")
                         and "Gene(taxon_id, key)" in operator_details(step))
    assert (species_walked > 0) == walks
    hits = {"default": db_hits(default), "walk": db_hits(walk), "in_range": db_hits(in_range)}
    assert (hits["walk"] < hits["in_range"]) == walks, hits  # the cheaper plan is the default's
    assert hits["default"] < hits["in_range" if walks else "walk"], hits
    answers = [named.run_raw("ortholog-genes-in-tissue", **given, **extra)
               for extra in ({}, {"scan_from": 0}, {"scan_from": IN_RANGE})]
    assert answers[0] == answers[1] == answers[2] and answers[0]


def test_unknown_names_and_parameters_are_clear(current_graph: Any) -> None:
    with pytest.raises(ChickGraphError, match=r"known: .*genes-in-tissue"):
        named.run("genes-in-heart")
    with pytest.raises(ChickGraphError, match="accepted: structure"):
        named.run("genes-in-tissue", structure="heart", colour="red")
    with pytest.raises(ChickGraphError, match="from_stage"):
        named.run("genes-in-tissue", structure="heart", from_stage="HH99")
    with pytest.raises(ChickGraphError, match="needs --param symbol"):
        named.run("gene-expression")


def test_query_cli(current_graph: Any) -> None:
    listing = cli("query", "--list")
    assert listing.returncode == 0
    for name in named.catalogue():
        assert name in listing.stdout
    result = cli("query", "genes-in-tissue", "-p", "structure=heart", "-p", "from_stage=HH10",
                 "-p", "to_stage=stage 20", "--limit", "5", "--format", "json")
    assert result.returncode == 0, result.stderr
    import json

    assert len(json.loads(result.stdout)) == 5
    assert "limit of 5 rows" in result.stderr
    bad = cli("query", "genes-in-tissue", "-p", "structure=hart")
    assert bad.returncode == 1 and "heart" in bad.stderr
