"""Plots are pure rendering: rows in, file out (no Neo4j)."""

from __future__ import annotations

from pathlib import Path

from pipeline.queries.named import GeneExpressionRow, OrthologRow
from pipeline.queries.plots import expression_heatmap, group_of, heatmap_matrix, orthologs_graph
from pipeline.transform.vocab.anatomy import load_anatomy


def row(structure_key: str, structure: str, stage: str, ordinal: float | None, n: int
        ) -> GeneExpressionRow:
    return GeneExpressionRow(symbol="G", structure_key=structure_key, structure=structure,
                             stage=stage, stage_ordinal=ordinal, images=n)


ROWS = [
    row("heart", "Heart", "HH10", 24.0, 2),
    row("forebrain", "Forebrain", "HH4", 18.0, 1),
    row("forebrain", "Forebrain", "unresolved:unknown:unknown", None, 3),
    row("midbrain", "Midbrain", "EGK-XII", 12.0, 5),
]


def test_stages_in_developmental_order_unresolved_last() -> None:
    stages, structures, matrix = heatmap_matrix(ROWS, load_anatomy())
    assert stages == ["EGK-XII", "HH4", "HH10", "unresolved:unknown:unknown"]
    assert matrix.sum() == 11
    groups = [group for group, _ in structures]
    assert groups == sorted(groups)
    names = [name for _, name in structures]
    assert names.index("Forebrain") < names.index("Midbrain")  # same group, alphabetical


def test_brain_parts_are_grouped_under_the_nervous_system() -> None:
    anatomy = load_anatomy()
    assert group_of(anatomy, "forebrain") == group_of(anatomy, "hindbrain")
    assert group_of(anatomy, "forebrain") != group_of(anatomy, "heart")


def test_heatmap_and_graph_files(tmp_path: Path) -> None:
    png = expression_heatmap(ROWS, "G", load_anatomy(), tmp_path / "h.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    ortholog = OrthologRow(symbol="G", species="Homo sapiens", taxon_id=9606,
                           gene_key="NCBITaxon:9606/NCBIGene:1", ncbi_id="1", ensembl_ids=[],
                           mod_ids=[], symbols=["HG"])
    html = orthologs_graph("G", [ortholog], ROWS, tmp_path / "g.html").read_text()
    assert "<html" in html.lower() or "<div" in html.lower()
    assert "HG (Homo sapiens)" in html and "Forebrain" in html
