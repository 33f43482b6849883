"""Load: records -> batched Cypher. No YAML here; every value travels as a parameter.

A chunk of pages is written in ONE managed write transaction: its old contribution is
deleted, the new one created, and the Page nodes with their content hashes are written
last. A crash or a transient error therefore leaves each page either fully old or fully
new, never half-written, and the driver retries the whole unit of work.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from neo4j import Driver, ManagedTransaction, Query

from pipeline import cypher_files
from pipeline.settings import Settings
from pipeline.species import Species
from pipeline.transform import PageRecord, Vocabularies, adhoc_structure_node

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


def chunk_rows(records: Sequence[PageRecord], delete_paths: Sequence[str] = ()) -> ChunkRows:
    """Flatten page records into one row list per Cypher statement."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in CHUNK_STATEMENTS}
    stage_nodes: dict[str, dict[str, Any]] = {}
    structure_nodes: dict[str, dict[str, Any]] = {}
    for rec in records:
        gk = rec.gene_key
        rows["genes"].append(
            {"key": gk, "props": rec.gene_props, "species": _species_props(rec.species)}
        )
        for row in rec.orthologs:
            rows["ortholog_rows"].append({"gene_key": gk, "key": row.key, "props": row.props})
            for name in row.names:
                edge = {k: v for k, v in (("ensembl_id", name.ensembl_id),
                                          ("mod_id", name.mod_id),
                                          ("phenotypes", name.phenotypes)) if v is not None}
                rows["ortholog_names"].append({
                    "gene_key": gk, "row_key": row.key, "row_position": row.position,
                    "gene": name.gene.identity_props(),
                    "species": _species_props(name.gene.species), "edge": edge,
                })
        for image in rec.images:
            if image.stage_node is not None:
                stage_nodes[image.stage_key] = {"key": image.stage_key,
                                                "props": image.stage_node,
                                                "parent_key": image.stage_node.get("parent_key")}
            shows = []
            for mention in image.shows:
                if (node := adhoc_structure_node(mention)) is not None:
                    structure_nodes[mention.structure_key] = {"key": node["key"], "props": node}
                shows.append({"structure_key": mention.structure_key,
                              "position": mention.position, "label": mention.label})
            rows["images"].append({"gene_key": gk, "key": image.key, "props": image.props,
                                   "stage_key": image.stage_key,
                                   "source_key": image.source_name, "shows": shows})
        if rec.expression:
            rows["expressed_in"].append({"gene_key": gk, "edges": [
                {"structure_key": e.structure_key, "stage_key": e.stage_key,
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
    rows["stages_adhoc"] = [stage_nodes[k] for k in sorted(stage_nodes)]
    rows["structures_adhoc"] = [structure_nodes[k] for k in sorted(structure_nodes)]
    return ChunkRows([rec.path for rec in records], rows, list(delete_paths))


def _write_chunk(tx: ManagedTransaction, chunk: ChunkRows, delete_paths: list[str]) -> None:
    if delete_paths:
        tx.run(cypher_files.load("load/delete_pages"), paths=delete_paths).consume()
    for name in CHUNK_STATEMENTS:
        params = chunk.rows[name]
        if params:
            tx.run(cypher_files.load(f"load/{name}"), rows=params).consume()


def write_chunk(
    driver: Driver, settings: Settings, chunk: ChunkRows, delete_paths: Iterable[str] | None = None
) -> None:
    """Replace the chunk's pages (and delete `delete_paths`) in one write transaction."""
    paths = sorted(set(chunk.paths) | set(chunk.delete_paths) | set(delete_paths or ()))
    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(_write_chunk, chunk, paths)


def delete_pages(driver: Driver, settings: Settings, paths: Sequence[str]) -> None:
    """Remove pages that left the source (their shared nodes go in `collect_garbage`)."""
    if paths:
        write_chunk(driver, settings, ChunkRows([], {n: [] for n in CHUNK_STATEMENTS}), paths)


def _run_statement(tx: ManagedTransaction, statement: str) -> None:
    tx.run(statement).consume()


def collect_garbage(driver: Driver, settings: Settings) -> None:
    """Drop shared nodes nothing references, then recompute derived ortholog ids."""
    with driver.session(database=settings.neo4j.database) as session:
        for statement in cypher_files.statements("load/gc"):
            session.execute_write(_run_statement, statement)
        for statement in cypher_files.statements("load/ortholog_ids"):
            session.execute_write(_run_statement, statement)



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


def write_vocabulary(driver: Driver, settings: Settings, vocab: Vocabularies) -> None:
    """Rewrite the curated vocabularies in one transaction (idempotent)."""
    rows = vocabulary_rows(vocab)

    def work(tx: ManagedTransaction) -> None:
        for statement in cypher_files.statements("load/vocab_reset"):
            tx.run(statement).consume()
        for name, params in rows.items():
            tx.run(cypher_files.load(f"load/{name}"), rows=params).consume()

    with driver.session(database=settings.neo4j.database) as session:
        session.execute_write(work)


def vocabulary_fingerprint(driver: Driver, settings: Settings) -> str | None:
    records, _, _ = driver.execute_query(
        Query(cypher_files.load("load/meta_get")), database_=settings.neo4j.database)
    return records[0]["fingerprint"] if records else None


def set_vocabulary_fingerprint(driver: Driver, settings: Settings, fingerprint: str) -> None:
    driver.execute_query(Query(cypher_files.load("load/meta_set")), fingerprint=fingerprint,
                         database_=settings.neo4j.database)
