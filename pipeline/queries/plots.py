"""Pictures biologists would rather look at than read. Pure rendering: rows in, file out.

- `expression_heatmap`: structure x stage image counts for one gene, stages in developmental
  order (unresolved labels last), structures grouped under their top-level parent.
- `orthologs_graph`: an interactive HTML view (neo4j-viz) of a gene, its orthologs and the
  structures it is expressed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from pipeline.queries.named import GeneExpressionRow, OrthologRow
from pipeline.transform.vocab.anatomy import AnatomyVocabulary

SPECIES_COLOURS = {
    9031: "#d95f02", 9606: "#1b9e77", 10090: "#7570b3", 8353: "#e7298a", 7955: "#66a61e",
    7227: "#e6ab02",
}


def group_of(anatomy: AnatomyVocabulary, key: str) -> str:
    """The top-level ancestor a structure is drawn under (itself when it has no parent)."""
    term = anatomy.get(key)
    seen = {key}
    while term is not None and term.part_of:
        parent = term.part_of[0]
        if parent in seen:
            break
        seen.add(parent)
        term = anatomy.get(parent)
    return term.name if term is not None else key


def heatmap_matrix(
    rows: Sequence[GeneExpressionRow], anatomy: AnatomyVocabulary
) -> tuple[list[str], list[tuple[str, str]], np.ndarray]:
    """(stage labels in order, (group, structure) rows in order, counts matrix)."""
    stage_order: dict[str, float] = {}
    for row in rows:
        stage_order[row.stage] = row.stage_ordinal if row.stage_ordinal is not None else 1e9
    stages = sorted(stage_order, key=lambda s: (stage_order[s], s))
    structures = sorted({(group_of(anatomy, r.structure_key), r.structure) for r in rows})
    index_s = {s: i for i, s in enumerate(stages)}
    index_a = {name: i for i, (_, name) in enumerate(structures)}
    matrix = np.zeros((len(structures), len(stages)))
    for row in rows:
        matrix[index_a[row.structure], index_s[row.stage]] += row.images
    return stages, structures, matrix


def expression_heatmap(
    rows: Sequence[GeneExpressionRow], symbol: str, anatomy: AnatomyVocabulary, out: Path
) -> Path:
    if not rows:
        raise ValueError(f"no expression recorded for {symbol}")
    stages, structures, matrix = heatmap_matrix(rows, anatomy)
    height = max(4.0, 0.28 * len(structures) + 1.8)
    width = max(6.0, 0.34 * len(stages) + 4.5)
    # a Figure of its own, not pyplot's: files only, no display on servers and CI, and no
    # backend chosen for the whole process (a notebook that imports this keeps its own)
    fig = Figure(figsize=(width, height), dpi=120)
    ax = fig.subplots()
    masked = np.ma.masked_equal(matrix, 0)
    image = ax.imshow(masked, aspect="auto", cmap="viridis", interpolation="nearest")
    ax.set_xticks(range(len(stages)), labels=stages, rotation=90, fontsize=8)
    ax.set_yticks(range(len(structures)), labels=[name for _, name in structures], fontsize=8)
    ax.set_xticks(np.arange(-0.5, len(stages)), minor=True)
    ax.set_yticks(np.arange(-0.5, len(structures)), minor=True)
    ax.grid(which="minor", color="#e0e0e0", linewidth=0.4)
    ax.tick_params(which="minor", length=0)
    groups: dict[str, list[int]] = defaultdict(list)
    for index, (group, _) in enumerate(structures):
        groups[group].append(index)
    for group, indices in groups.items():
        ax.axhline(max(indices) + 0.5, color="white", linewidth=1.5)
        ax.annotate(group, xy=(1.01, (min(indices) + max(indices)) / 2),
                    xycoords=("axes fraction", "data"), va="center", fontsize=8,
                    fontweight="bold", annotation_clip=False)
    ax.set_xlabel("developmental stage (EGK I-XIV, then HH 1-46; unresolved labels last)")
    ax.set_title(f"{symbol}: expression by structure and stage (number of images)")
    colorbar = fig.colorbar(image, ax=ax, fraction=0.03, pad=0.22)
    colorbar.set_label("images")
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    return out


def orthologs_graph(
    symbol: str, orthologs: Sequence[OrthologRow], expression: Sequence[GeneExpressionRow],
    out: Path, max_structures: int = 25,
) -> Path:
    """The gene, its orthologs (coloured by species) and its top structures, as HTML."""
    from neo4j_viz import Node, Relationship, VisualizationGraph  # heavy: only when drawing

    centre = f"chick:{symbol}"
    nodes = [Node(id=centre, caption=symbol, size=30, color=SPECIES_COLOURS[9031],
                  properties={"species": "Gallus gallus"})]
    rels = []
    for row in orthologs:
        label = (row.ortholog_symbol or (row.symbols or [None])[0] or row.ncbi_id
                 or row.gene_key.split(":")[-1])
        nodes.append(Node(id=row.gene_key, caption=f"{label} ({row.species})", size=18,
                          color=SPECIES_COLOURS.get(row.taxon_id or 0, "#999999"),
                          properties=row.model_dump()))
        rels.append(Relationship(source=centre, target=row.gene_key, caption="ORTHOLOG_OF"))
    images: dict[str, int] = defaultdict(int)
    for row in expression:
        images[row.structure] += row.images
    for structure, count in sorted(images.items(), key=lambda x: (-x[1], x[0]))[:max_structures]:
        node_id = f"structure:{structure}"
        nodes.append(Node(id=node_id, caption=structure, size=8 + min(count, 40) / 2,
                          color="#a6cee3", properties={"images": count}))
        rels.append(Relationship(source=centre, target=node_id, caption=f"EXPRESSED_IN ({count})"))
    html = VisualizationGraph(nodes=nodes, relationships=rels).render(height="800px")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html.data, encoding="utf-8")
    return out
