"""bench/scale_corpus.py makes a whole release: each copy's gene_index.json entries name that
copy's pages, so the facet query at 25x starts from 25x the genes (on pages alone it
answered nothing). No Neo4j here: the pipeline's own facet transform does the matching."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bench import scale_corpus
from pipeline.extract.pages import PageLoader
from pipeline.transform.facets import ChickGene, parse_gene_index

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "release" / "good"


def chick_genes(release: Path) -> list[ChickGene]:
    genes = []
    for page in sorted(scale_corpus.pages(release).glob("*.md")):
        front_matter = yaml.load(page.read_text(encoding="utf-8").split("---")[1],
                                 Loader=PageLoader)
        genes.append(ChickGene(page.stem, front_matter["symbol"], str(front_matter["gene_id"])))
    return genes


@pytest.fixture(scope="module")
def scaled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scale_corpus.build(3, root=tmp_path_factory.mktemp("scaled"), source=RELEASE)


def test_the_copy_is_a_release_of_pages_and_data(scaled: Path) -> None:
    assert sorted(p.name for p in scale_corpus.pages(scaled).glob("*.md")) == [
        "RELA.md", "RELA_c1.md", "RELA_c2.md", "RELB.md", "RELB_c1.md", "RELB_c2.md"]
    for name in ("papers.json", "orthologs.json"):  # shared, as image sources are
        assert (scaled / "data" / name).read_bytes() == (RELEASE / "data" / name).read_bytes()


def test_each_copy_of_the_index_names_its_own_pages(scaled: Path) -> None:
    original = parse_gene_index((RELEASE / "data" / "gene_index.json").read_bytes(),
                                chick_genes(RELEASE))
    facets = parse_gene_index((scaled / "data" / "gene_index.json").read_bytes(),
                              chick_genes(scaled))
    assert facets.entries == 3 * original.entries
    assert facets.nodes == original.nodes  # "Neural" is one facet with 3x the genes
    assert [link["facet_key"] for link in facets.links] == [
        link["facet_key"] for link in original.links]
    assert {key for link in facets.links for key in link["gene_keys"]} == {
        "RELA", "RELA_c1", "RELA_c2", "RELB", "RELB_c1", "RELB_c2"}
    assert sum(len(link["gene_keys"]) for link in facets.links) == 3 * sum(
        len(link["gene_keys"]) for link in original.links)
    # the entry with no page stays unmatched in every copy, and nothing else is
    assert [p.field for p in facets.problems] == [
        f"[{i}].symbol" for i in (2, 5, 8)] and len(original.problems) == 1


def test_one_copy_is_the_release_itself(tmp_path: Path) -> None:
    folder = scale_corpus.build(1, root=tmp_path, source=RELEASE)
    for path in sorted((RELEASE / "data").glob("*.json")):
        assert (folder / "data" / path.name).read_bytes() == path.read_bytes()
    for page in (RELEASE / "genes").glob("*.md"):
        assert (scale_corpus.pages(folder) / page.name).read_bytes() == page.read_bytes()


def test_renamed_index_entries_keep_their_facets() -> None:
    entry = {"symbol": "RELA", "gene_id": "200001", "systems": ["Neural"], "pathways": []}
    assert scale_corpus.index_entry(entry, 4) == {
        "symbol": "RELA_c4", "gene_id": "4000200001", "systems": ["Neural"], "pathways": []}
    assert scale_corpus.index_entry("not an entry", 4) == "not an entry"
    assert json.loads(json.dumps(scale_corpus.index_entry({"gene_id": ""}, 2))) == {
        "gene_id": ""}
