"""Rows: page records -> the parameter lists of the load statements. Pure data shaping.

Runs in the worker processes (so only plain dicts and lists cross back to the writer) and
in tests; it neither parses YAML nor talks to Neo4j.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pipeline.transform.records import PageRecord, Vocabularies, adhoc_structure_node
from pipeline.transform.species import Species

# The order matters: shared nodes first, then page-owned nodes, the Page (hash) last.
CHUNK_STATEMENTS = (
    "stages_adhoc", "structures_adhoc", "genes", "ortholog_rows", "ortholog_names",
    "images", "expressed_in", "page_sources", "papers", "pages",
)


def _species_props(species: Species) -> dict[str, Any]:
    props: dict[str, Any] = {"key": species.key, "name": species.name}
    if species.taxon_id is not None:
        props["taxon_id"] = species.taxon_id
    if species.common_name is not None:
        props["common_name"] = species.common_name
    return props


@dataclass(frozen=True)
class ChunkRows:
    """Parameter lists for each statement of a chunk's transaction."""

    paths: list[str]
    rows: dict[str, list[dict[str, Any]]]
    delete_paths: list[str] = field(default_factory=list)  # pages to remove in the same tx

    def count(self, name: str) -> int:
        return len(self.rows.get(name, []))


@dataclass(frozen=True, slots=True)
class PageRows:
    """One page's rows for each statement. Built in the worker process: plain dicts and lists
    cross the process boundary ~5x cheaper than the record objects they come from."""

    path: str
    gene_key: str
    rows: dict[str, list[dict[str, Any]]]


def page_rows(rec: PageRecord) -> PageRows:
    """Flatten one page record into row lists per Cypher statement."""
    gk = rec.gene_key
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in CHUNK_STATEMENTS}
    rows["genes"].append(
        {"key": gk, "props": rec.gene_props, "species": _species_props(rec.species)})
    for row in rec.orthologs:
        rows["ortholog_rows"].append({"gene_key": gk, "key": row.key, "props": row.props})
        for name in row.names:
            edge = {k: v for k, v in (("ensembl_id", name.ensembl_id), ("mod_id", name.mod_id),
                                      ("phenotypes", name.phenotypes)) if v is not None}
            rows["ortholog_names"].append({
                "gene_key": gk, "row_key": row.key, "row_position": row.position,
                "gene": name.gene.identity_props(),
                "species": _species_props(name.gene.species), "edge": edge,
            })
    for image in rec.images:
        if image.stage_node is not None:
            rows["stages_adhoc"].append({"key": image.stage_key, "props": image.stage_node,
                                         "parent_key": image.stage_node.get("parent_key")})
        shows = []
        for mention in image.shows:
            if (node := adhoc_structure_node(mention)) is not None:
                rows["structures_adhoc"].append({"key": node["key"], "props": node})
            shows.append({"structure_key": mention.structure_key,
                          "position": mention.position, "label": mention.label})
        rows["images"].append({"gene_key": gk, "key": image.key, "props": image.props,
                               "stage_key": image.stage_key,
                               "source_key": image.source_name, "shows": shows})
    if rec.expression:
        rows["expressed_in"].append({"gene_key": gk, "edges": [
            {"structure_key": e.structure_key, "stage_key": e.stage_key, "site": e.site,
             "stage_ordinal": e.stage_ordinal, "image_count": e.image_count}
            for e in rec.expression]})
    for src in rec.sources:
        rows["page_sources"].append(
            {"gene_key": gk, "key": src.key, "node": src.node_props, "edge": src.edge_props})
    for paper in rec.papers:
        rows["papers"].append(
            {"gene_key": gk, "key": paper.key, "node": paper.node_props,
             "edge": paper.edge_props})
    rows["pages"].append({"gene_key": gk, "props": rec.page_props})
    return PageRows(rec.path, gk, rows)


_SHARED_ADHOC = ("stages_adhoc", "structures_adhoc")


def merge_rows(pages: Sequence[PageRows], delete_paths: Sequence[str] = ()) -> ChunkRows:
    """Concatenate pages' rows; ad hoc shared nodes once each, sorted by key."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in CHUNK_STATEMENTS}
    adhoc: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in _SHARED_ADHOC}
    for page in pages:
        for name, page_list in page.rows.items():
            if name in adhoc:
                adhoc[name].update((row["key"], row) for row in page_list)
            else:
                rows[name].extend(page_list)
    for name, by_key in adhoc.items():
        rows[name] = [by_key[key] for key in sorted(by_key)]
    return ChunkRows([page.path for page in pages], rows, list(delete_paths))


def statement_params(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The parameters of load statement `name` for a chunk's `rows`.

    `images` and `expressed_in` find the chunk's genes, stages, structures and sources once
    each and name them by position (cypher/load/images.cypher): each row gets the positions
    beside its keys (`gene`, `stage`, `source`, each mention's `structure`), added in place,
    since the chunk's rows are built for this one write (the same positions again on a retry).
    A key's position is its place in its list: `index.setdefault(key, len(index))` adds a new
    key at the end.
    """
    if name == "images":
        genes: dict[str, int] = {}
        stages: dict[str, int] = {}
        structures: dict[str, int] = {}
        sources: dict[str, int] = {}
        for row in rows:
            row["gene"] = genes.setdefault(row["gene_key"], len(genes))
            row["stage"] = stages.setdefault(row["stage_key"], len(stages))
            source = row["source_key"]
            row["source"] = None if source is None else sources.setdefault(source, len(sources))
            for show in row["shows"]:
                show["structure"] = structures.setdefault(show["structure_key"], len(structures))
        return {"rows": rows, "genes": list(genes), "stages": list(stages),
                "structures": list(structures), "sources": list(sources)}
    if name == "expressed_in":
        genes, structures = {}, {}
        for row in rows:
            row["gene"] = genes.setdefault(row["gene_key"], len(genes))
            for edge in row["edges"]:
                edge["structure"] = structures.setdefault(edge["structure_key"], len(structures))
        return {"rows": rows, "genes": list(genes), "structures": list(structures)}
    return {"rows": rows}


def chunk_rows(records: Sequence[PageRecord], delete_paths: Sequence[str] = ()) -> ChunkRows:
    """Flatten page records into one row list per Cypher statement."""
    return merge_rows([page_rows(rec) for rec in records], delete_paths)


def vocabulary_rows(vocab: Vocabularies) -> dict[str, list[dict[str, Any]]]:
    """Rows for the curated stage and anatomy vocabularies (pure: testable without Neo4j)."""
    stages = []
    for stage in vocab.stages.stages:
        props = {k: v for k, v in stage.model_dump().items()
                 if v is not None and k not in ("period", "period_id")}
        props |= {"curated": True, "status": "resolved"}
        period = None
        if stage.period:
            period = {"key": stage.period_id or stage.period, "name": stage.period}
            if stage.period_id:
                props["period_id"] = stage.period_id
        stages.append({"props": props, "period": period})
    order = [s.key for s in vocab.stages.stages]
    structures = []
    part_of = []
    for term in vocab.anatomy.terms:
        props = {"key": term.key, "name": term.name, "kind": term.kind,
                 "synonyms": list(term.synonyms), "curated": True}
        if term.uberon_id:
            props["uberon_id"] = term.uberon_id
        structures.append({"props": props})
        part_of.extend({"child": term.key, "parent": parent} for parent in term.part_of)
    return {
        "vocab_stages": stages,
        "vocab_next": [{"from": a, "to": b} for a, b in itertools.pairwise(order)],
        "vocab_structures": structures,
        "vocab_part_of": part_of,
    }
