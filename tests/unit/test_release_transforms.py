"""The release's data files and ortholog phenotypes: pure transforms (no Neo4j)."""

from __future__ import annotations

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from pipeline.errors import SourceError
from pipeline.extract import release
from pipeline.ingest.release import RELEASE_MODEL, plan, plan_release
from pipeline.transform import facets, literature, phenotypes
from pipeline.transform.facets import ChickGene

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "release"


# ------------------------------------------------------------------ phenotypes

def test_human_omim_ids() -> None:
    assert phenotypes.structured(9606, "MIM:613287, MIM:600001,MIM:613287") == {
        "omim_ids": ["613287", "600001"]}


def test_zebrafish_terms_keep_commas_inside_parentheses() -> None:
    text = "heart looping, maturation of SSU-rRNA (SSU-rRNA, 5.8S rRNA), fin regeneration"
    assert phenotypes.structured(7955, text) == {"process_terms": [
        "heart looping", "maturation of SSU-rRNA (SSU-rRNA, 5.8S rRNA)", "fin regeneration"]}


def test_mouse_allele_summary_becomes_counts() -> None:
    text = "All phenotypic alleles (5):Targeted, knock-out(3) Targeted, other(2)"
    assert phenotypes.structured(10090, text) == {
        "allele_total": 5, "allele_types": ["Targeted, knock-out", "Targeted, other"],
        "allele_counts": [3, 2]}


@pytest.mark.parametrize(("taxon", "text"), [
    (9606, "MIM:613287, Marfan syndrome"),         # a token that is not an OMIM id
    (7955, "heart looping, somitogenesis (unbalanced"),
    (7955, "heart looping, , fin"),                 # an empty term
    (10090, "All phenotypic alleles (4):Targeted, other(2)"),  # counts do not add up
    (10090, "All phenotypic alleles (2):Targeted, other(2) trailing"),
    (7227, "lethal"),                               # no known meaning for this species
    (None, "lethal"),
])
def test_text_that_does_not_split_is_flagged_never_guessed(taxon: int | None, text: str) -> None:
    assert phenotypes.structured(taxon, text) == {"phenotypes_unsplit": True}


def test_empty_phenotypes_add_nothing() -> None:
    assert phenotypes.structured(9606, "") == {}
    assert phenotypes.structured(9606, None) == {}


# ------------------------------------------------------------------ literature

def test_source_citation_shapes() -> None:
    key = literature.source_citation
    assert key("Anderson et al. 2019") == "anderson 2019"
    assert key("Moura and Smith 2011") == "moura 2011"
    assert key("Bren-mattison et al. 2003") == literature.citation_key("Bren-Mattison", "2003")
    assert key("Kimura 2010") == "kimura 2010"
    for name in ("GEISHA", "Publication", "", None, "Reconstructed"):
        assert key(name) is None


def test_papers_keys_duplicates_and_resolution() -> None:
    papers = literature.parse_papers((FIXTURES / "good/data/papers.json").read_bytes())
    assert sorted(papers.rows) == ["DOI:10.1371/journal.pone.0060267", "PMCID:PMC1000001",
                                   "PMID:15000001", "PMID:21423653", "PMID:31000001"]
    moura = papers.rows["PMID:21423653"]
    assert moura["citations"] == ["Moura 2011", "Mou 2011"] and moura["year"] == 2011
    assert moura["pubmed_id"] == "21423653" and moura["title"] == "A paper"
    assert [(p.field, p.severity) for p in papers.problems] == [("[2].pmid", "warning")]
    sources = ["Anderson et al. 2019", "Moura and Smith 2011", "Chapman et al. 2004",
               "GEISHA", "Nobody et al. 2001", ""]
    resolution = literature.resolve_sources(sources, papers)
    assert resolution.citations == 4
    assert resolution.unresolved == ["Nobody et al. 2001"]
    assert {(link["source_key"], link["publication_key"]) for link in resolution.links} == {
        ("Anderson et al. 2019", "PMID:31000001"), ("Moura and Smith 2011", "PMID:21423653"),
        ("Chapman et al. 2004", "PMID:15000001"), ("Chapman et al. 2004", "PMCID:PMC1000001")}


def test_bad_papers_entries_are_reported_with_field_and_skipped() -> None:
    papers = literature.parse_papers((FIXTURES / "bad/data/papers.json").read_bytes())
    found = {(p.field, p.severity) for p in papers.problems}
    assert found == {("[1].pmid", "warning"), ("[2].citation", "error"),
                     ("[3].pmid", "error"), ("[4].year", "error"), ("[5]", "error")}
    assert all(p.file == "data/papers.json" for p in papers.problems)
    assert sorted(papers.rows) == ["PMID:31000001"]


@pytest.mark.parametrize("content", [b'[{"citation": "A 2001"', b'{"a": 1}', b"\xff\xfe"])
def test_undecodable_papers_file_is_one_problem(content: bytes) -> None:
    papers = literature.parse_papers(content)
    assert papers.rows == {} and len(papers.problems) == 1
    assert papers.problems[0].field == "(file)" and "file skipped" in papers.problems[0].message


# ------------------------------------------------------------------ facets

GENES = [ChickGene("K/RELA", "RELA", "200001"), ChickGene("K/RELB", "RELB", "200002")]


def test_facets_named_as_the_site_names_them() -> None:
    result = facets.parse_gene_index((FIXTURES / "good/data/gene_index.json").read_bytes(),
                                     GENES)
    assert [n["key"] for n in result.nodes] == [
        "category:Transcription Factor", "pathway:WNT", "system:Cardiovascular",
        "system:Limb", "system:Neural"]
    assert result.links == [  # one row per facet, its genes sorted
        {"facet_key": "category:Transcription Factor", "gene_keys": ["K/RELA"]},
        {"facet_key": "pathway:WNT", "gene_keys": ["K/RELA"]},
        {"facet_key": "system:Cardiovascular", "gene_keys": ["K/RELA"]},
        {"facet_key": "system:Neural", "gene_keys": ["K/RELA", "K/RELB"]}]
    assert [(p.field, p.severity) for p in result.problems] == [("[2].symbol", "warning")]


def test_gene_index_symbol_shared_by_two_pages_uses_gene_id() -> None:
    genes = [ChickGene("a", "X", "1"), ChickGene("b", "X", "2")]
    content = json.dumps([{"symbol": "X", "gene_id": "2", "pathways": ["HOX"]}]).encode()
    assert facets.parse_gene_index(content, genes).links == [
        {"facet_key": "pathway:HOX", "gene_keys": ["b"]}]


def test_gene_index_fields_never_read_are_not_kept_nor_checked() -> None:
    """`locations`, `image_count` and `has_disease` are dropped as the file is decoded (the
    memory of a 25x index): whatever they hold, the entry loads as without them."""
    plain = [{"symbol": "RELA", "gene_id": "200001", "systems": ["Neural"]},
             {"symbol": "RELB", "gene_id": "200002", "systems": ["Neural"]}]
    odd = [entry | {"locations": {"not": "a list"}, "image_count": "many",
                    "has_disease": [None]} for entry in plain]
    parsed = [facets.parse_gene_index(json.dumps(v).encode(), GENES) for v in (plain, odd)]
    assert parsed[0] == parsed[1] and parsed[0].problems == []
    assert parsed[0].links == [{"facet_key": "system:Neural", "gene_keys": ["K/RELA", "K/RELB"]}]
    entry = facets._read_fields([("symbol", "X"), ("locations", ["Heart"]),
                                 ("systems", ["Neu" + "ral", 5])])
    assert entry == {"symbol": "X", "systems": ["Neural", 5]}
    assert entry["systems"][0] is sys.intern("Neural")


def test_gene_index_wrong_types_and_truncation() -> None:
    content = json.dumps([{"symbol": "RELA", "systems": "Neural"},
                          {"symbol": 5}, {"symbol": "RELB", "pathways": [""]}]).encode()
    result = facets.parse_gene_index(content, GENES)
    assert [p.field for p in result.problems] == ["[0].systems", "[1].symbol",
                                                  "[2].pathways[0]"]
    assert result.nodes == [] and result.links == []
    truncated = facets.parse_gene_index((FIXTURES / "bad/data/gene_index.json").read_bytes(),
                                        GENES)
    assert [p.field for p in truncated.problems] == ["(file)"]


# ------------------------------------------------------------------ layout and plan

def test_layouts(tmp_path: Path) -> None:
    (tmp_path / "repo/content/genes").mkdir(parents=True)
    (tmp_path / "repo/data").mkdir()
    repo = release.locate(tmp_path / "repo")
    assert repo.pages == tmp_path / "repo/content/genes" and repo.data == tmp_path / "repo/data"
    corpus = release.locate(FIXTURES / "good")
    assert corpus.pages == FIXTURES / "good/genes" and corpus.is_release
    bare = release.locate(FIXTURES / "good/genes")  # a genes/ folder: pages only
    assert bare.pages == FIXTURES / "good/genes" and not bare.is_release
    assert release.read_data_files(bare) == {}
    files = release.read_data_files(corpus)
    assert sorted(files) == ["data/gene_index.json", "data/orthologs.json", "data/papers.json"]
    assert len(files["data/papers.json"].sha256) == 64


def test_a_data_file_that_cannot_be_read_stops_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipped, it would count as gone from the release and its papers would be removed. The
    tests run as root, which reads any file: the refusal is the kernel's, simulated."""
    (tmp_path / "genes").mkdir()
    (tmp_path / "data").mkdir()
    for name in ("papers.json", "orthologs.json"):
        (tmp_path / "data" / name).write_text("{}")
    read_bytes = Path.read_bytes

    def refusing(path: Path) -> bytes:
        if path.name == "papers.json":
            raise PermissionError(13, "Permission denied", str(path))
        return read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", refusing)
    with pytest.raises(SourceError) as refused:
        release.read_data_files(release.locate(tmp_path))
    assert str(refused.value) == (f"{tmp_path / 'data' / 'papers.json'}: cannot read this data "
                                  "file of the release: Permission denied")


def test_plan_rows_and_report() -> None:
    files = release.read_data_files(release.locate(FIXTURES / "good"))
    rows, report = plan(files, GENES, ["Anderson et al. 2019", "GEISHA", "Nobody et al. 2001"])
    assert [r["path"] for r in rows["release_data_files"]] == sorted(files)
    assert {r["model"] for r in rows["release_data_files"]} == {RELEASE_MODEL}
    assert len(rows["release_publications"]) == 5 and report.publications == 5
    assert report.citation_sources == 2 and report.citations_unresolved == ["Nobody et al. 2001"]
    assert report.facets == 5
    assert sum(len(row["gene_keys"]) for row in rows["release_facet_links"]) == 5
    no_papers = {k: v for k, v in files.items() if k != "data/papers.json"}
    rows, report = plan(no_papers, GENES, ["Anderson et al. 2019"])
    assert rows["release_citations"] == [] and report.citation_sources == 0


def test_release_planned_in_a_process_pool_equals_planned_here() -> None:
    """The ingest plans a release in its parse pool (the decoded index stays out of its own
    process): what comes back is what planning it here gives, hashes included."""
    sources = ["Anderson et al. 2019", "GEISHA", "Nobody et al. 2001"]
    here = plan_release(str(FIXTURES / "good"), GENES, sources)
    with ProcessPoolExecutor(max_workers=1) as pool:
        there = pool.submit(plan_release, str(FIXTURES / "good"), GENES, sources).result()
    assert there == here
    rows, report, current = here
    assert sorted(current) == ["data/gene_index.json", "data/orthologs.json", "data/papers.json"]
    assert {model for _, model in current.values()} == {RELEASE_MODEL}
    assert report.facets == 5 and rows["release_facets"]


# ------------------------------------------------------------------ named query parameters

def test_new_named_queries_parse_and_validate() -> None:
    from pipeline.queries import named

    for name in ("publications", "facet-genes-in-tissue", "phenotype-orthologs"):
        spec = named.get(name)
        assert spec.description and name in named.ROW_TYPES
    spec = named.get("phenotype-orthologs")
    assert named.convert(spec.param("mim_id"), "MIM:613287") == "613287"
    assert named.convert(spec.param("mim_id"), " 613287 ") == "613287"
    with pytest.raises(named.QueryError, match="mim_id"):
        named.convert(spec.param("mim_id"), "OMIM-1")
    kind = named.get("facet-genes-in-tissue").param("kind")
    assert named.convert(kind, "Pathway") == "pathway"
    with pytest.raises(named.QueryError, match="system, pathway, category"):
        named.convert(kind, "pathways")
    with pytest.raises(named.QueryError, match="needs --param symbol"):
        named.bind(named.get("publications"), {})


def test_count_parameters_refuse_negative_values() -> None:
    """A negative limit or `scan_from` would reach Cypher's LIMIT and fail there, in Neo4j's
    words: refused here instead, naming the parameter."""
    from pipeline.queries import named

    spec = named.get("conserved-orthologs")
    assert named.convert(spec.param("scan_from"), "0") == 0
    assert named.convert(spec.param("limit"), 10) == 10
    for name, value in (("limit", "-1"), ("scan_from", -5)):
        with pytest.raises(named.QueryError, match=f"parameter {name} \\(int\\): .*negative"):
            named.convert(spec.param(name), value)
    with pytest.raises(named.QueryError) as words:  # not Python's "invalid literal for int()"
        named.convert(spec.param("limit"), "abc")
    assert str(words.value) == "parameter limit (int): 'abc' is not a whole number"
