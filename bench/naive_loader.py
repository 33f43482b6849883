"""The naive loader: what a tutorial would write, as the baseline the pipeline is measured by.

One transaction per page and, inside it, one Cypher statement per node and per relationship
(MERGE on the key, with parameters, no UNWIND, no batching), pages read and transformed one
after the other in one process. It is fair in two ways: MERGE is backed by the same
uniqueness constraints (the schema is applied first, as any tutorial does), and the pages
go through the pipeline's own extract + transform, so it writes the same graph (same keys,
properties, relationship types) and only the way of writing differs.

    python -m bench.naive_loader PATH [--limit N]     (uses the configured server)
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from neo4j import ManagedTransaction

from pipeline.extract.pages import PageIssue, discover, read_page, relative_id
from pipeline.ingest.chunks import fingerprint, vocabularies
from pipeline.load import db, writer
from pipeline.load.rows import page_rows, vocabulary_rows
from pipeline.settings import Settings, get_settings
from pipeline.transform.records import transform

# one statement per node or relationship; values always as parameters
MERGE_STAGE = "MERGE (s:DevelopmentalStage {key: $key}) ON CREATE SET s = $props"
SET_STAGE = "MERGE (s:DevelopmentalStage {key: $key}) SET s = $props"
SET_PERIOD = "MERGE (p:DevelopmentalPeriod {key: $key}) SET p = $props"
DURING = ("MATCH (s:DevelopmentalStage {key: $a}) MATCH (p:DevelopmentalPeriod {key: $b}) "
          "MERGE (s)-[:DURING]->(p)")
NEXT = ("MATCH (a:DevelopmentalStage {key: $a}) MATCH (b:DevelopmentalStage {key: $b}) "
        "MERGE (a)-[:NEXT]->(b)")
SUBSTAGE_OF = ("MATCH (a:DevelopmentalStage {key: $a}) MATCH (b:DevelopmentalStage {key: $b}) "
               "MERGE (a)-[:SUBSTAGE_OF]->(b)")
MERGE_STRUCTURE = "MERGE (a:AnatomicalStructure {key: $key}) ON CREATE SET a = $props"
SET_STRUCTURE = "MERGE (a:AnatomicalStructure {key: $key}) SET a = $props"
PART_OF = ("MATCH (a:AnatomicalStructure {key: $a}) MATCH (b:AnatomicalStructure {key: $b}) "
           "MERGE (a)-[:PART_OF]->(b)")
SET_GENE = "MERGE (g:Gene {key: $key}) SET g = $props"
MERGE_GENE = "MERGE (g:Gene {key: $key}) ON CREATE SET g = $props"
MERGE_SPECIES = "MERGE (s:Species {key: $key}) ON CREATE SET s = $props"
IN_SPECIES = ("MATCH (g:Gene {key: $a}) MATCH (s:Species {key: $b}) "
              "MERGE (g)-[:IN_SPECIES]->(s)")
SET_ROW = "MERGE (r:OrthologRow {key: $key}) SET r = $props"
HAS_ROW = ("MATCH (g:Gene {key: $a}) MATCH (r:OrthologRow {key: $b}) "
           "MERGE (g)-[:HAS_ORTHOLOG_ROW]->(r)")
NAMES = ("MATCH (r:OrthologRow {key: $a}) MATCH (o:Gene {key: $b}) "
         "CREATE (r)-[n:NAMES]->(o) SET n = $props")  # a row may name one gene twice
ORTHOLOG_OF = ("MATCH (g:Gene {key: $a}) MATCH (o:Gene {key: $b}) "
               "MERGE (g)-[e:ORTHOLOG_OF]->(o) SET e.rows = coalesce(e.rows, []) + $position")
SET_IMAGE = "MERGE (i:Image {key: $key}) SET i = $props"
HAS_IMAGE = "MATCH (g:Gene {key: $a}) MATCH (i:Image {key: $b}) MERGE (g)-[:HAS_IMAGE]->(i)"
AT_STAGE = ("MATCH (i:Image {key: $a}) MATCH (s:DevelopmentalStage {key: $b}) "
            "MERGE (i)-[:AT_STAGE]->(s)")
MERGE_SOURCE_NAME = "MERGE (s:Source {key: $key}) ON CREATE SET s.name = $key"
MERGE_SOURCE = "MERGE (s:Source {key: $key}) ON CREATE SET s = $props"
FROM_SOURCE = ("MATCH (i:Image {key: $a}) MATCH (s:Source {key: $b}) "
               "MERGE (i)-[:FROM_SOURCE]->(s)")
SHOWS = ("MATCH (i:Image {key: $a}) MATCH (s:AnatomicalStructure {key: $b}) "
         "MERGE (i)-[:SHOWS {position: $position, label: $label}]->(s)")
EXPRESSED_IN = ("MATCH (g:Gene {key: $a}) MATCH (s:AnatomicalStructure {key: $b}) "
                "MERGE (g)-[e:EXPRESSED_IN {stage_key: $stage_key}]->(s) "
                "SET e.site = $site, e.image_count = $image_count, "
                "e.stage_ordinal = $stage_ordinal")
DESCRIBED_BY = ("MATCH (g:Gene {key: $a}) MATCH (s:Source {key: $b}) "
                "MERGE (g)-[d:DESCRIBED_BY {position: $position}]->(s) SET d = $props")
MERGE_PAPER = "MERGE (p:Publication {key: $key}) ON CREATE SET p = $props"
CITES = ("MATCH (g:Gene {key: $a}) MATCH (p:Publication {key: $b}) "
         "MERGE (g)-[c:CITES {position: $position}]->(p) SET c = $props")
SET_PAGE = "MERGE (p:Page {path: $key}) SET p = $props"
DESCRIBES = "MATCH (p:Page {path: $a}) MATCH (g:Gene {key: $b}) MERGE (p)-[:DESCRIBES]->(g)"
META = "MERGE (m:GraphMeta {key: 'vocabulary'}) SET m.fingerprint = $fingerprint"


class Counter:
    statements = 0


def _run(tx: ManagedTransaction, query: str, **params: Any) -> None:
    tx.run(query, **params).consume()  # type: ignore[arg-type]
    Counter.statements += 1


def write_vocabulary(tx: ManagedTransaction) -> None:
    rows = vocabulary_rows(vocabularies())
    for row in rows["vocab_stages"]:
        _run(tx, SET_STAGE, key=row["props"]["key"], props=row["props"])
        if row["period"] is not None:
            _run(tx, SET_PERIOD, key=row["period"]["key"], props=row["period"])
            _run(tx, DURING, a=row["props"]["key"], b=row["period"]["key"])
    for row in rows["vocab_next"]:
        _run(tx, NEXT, a=row["from"], b=row["to"])
    for row in rows["vocab_structures"]:
        _run(tx, SET_STRUCTURE, key=row["props"]["key"], props=row["props"])
    for row in rows["vocab_part_of"]:
        _run(tx, PART_OF, a=row["child"], b=row["parent"])


def write_page(tx: ManagedTransaction, rows: dict[str, list[dict[str, Any]]]) -> None:
    """The page's nodes and relationships, one statement each."""
    for row in rows["stages_adhoc"]:
        _run(tx, MERGE_STAGE, key=row["key"], props=row["props"])
        if row["parent_key"] is not None:
            _run(tx, SUBSTAGE_OF, a=row["key"], b=row["parent_key"])
    for row in rows["structures_adhoc"]:
        _run(tx, MERGE_STRUCTURE, key=row["key"], props=row["props"])
    for row in rows["genes"]:
        _run(tx, SET_GENE, key=row["key"], props=row["props"])
        _run(tx, MERGE_SPECIES, key=row["species"]["key"], props=row["species"])
        _run(tx, IN_SPECIES, a=row["key"], b=row["species"]["key"])
    for row in rows["ortholog_rows"]:
        _run(tx, SET_ROW, key=row["key"], props=row["props"])
        _run(tx, HAS_ROW, a=row["gene_key"], b=row["key"])
    for row in rows["ortholog_names"]:
        other = row["gene"]["key"]
        _run(tx, MERGE_GENE, key=other, props=row["gene"])
        _run(tx, MERGE_SPECIES, key=row["species"]["key"], props=row["species"])
        _run(tx, IN_SPECIES, a=other, b=row["species"]["key"])
        _run(tx, NAMES, a=row["row_key"], b=other, props=row["edge"])
        _run(tx, ORTHOLOG_OF, a=row["gene_key"], b=other, position=row["row_position"])
    for row in rows["images"]:
        key = row["props"]["key"]
        _run(tx, SET_IMAGE, key=key, props=row["props"])
        _run(tx, HAS_IMAGE, a=row["gene_key"], b=key)
        _run(tx, AT_STAGE, a=key, b=row["stage_key"])
        if row["source_key"] is not None:
            _run(tx, MERGE_SOURCE_NAME, key=row["source_key"])
            _run(tx, FROM_SOURCE, a=key, b=row["source_key"])
        for show in row["shows"]:
            _run(tx, SHOWS, a=key, b=show["structure_key"], position=show["position"],
                 label=show["label"])
    for row in rows["expressed_in"]:
        for edge in row["edges"]:
            _run(tx, EXPRESSED_IN, a=row["gene_key"], b=edge["structure_key"],
                 stage_key=edge["stage_key"], site=edge["site"], image_count=edge["image_count"],
                 stage_ordinal=edge["stage_ordinal"])
    for row in rows["page_sources"]:
        _run(tx, MERGE_SOURCE, key=row["key"], props=row["node"])
        _run(tx, DESCRIBED_BY, a=row["gene_key"], b=row["key"],
             position=row["edge"]["position"], props=row["edge"])
    for row in rows["papers"]:
        _run(tx, MERGE_PAPER, key=row["key"], props=row["node"])
        _run(tx, CITES, a=row["gene_key"], b=row["key"], position=row["edge"]["position"],
             props=row["edge"])
    for row in rows["pages"]:
        path = row["props"]["path"]
        _run(tx, SET_PAGE, key=path, props=row["props"])
        _run(tx, DESCRIBES, a=path, b=row["gene_key"])


def naive_load(folder: Path, settings: Settings | None = None, limit: int | None = None
               ) -> dict[str, Any]:
    """Load the first `limit` pages of `folder` (all by default) into an empty database."""
    settings = settings or get_settings()
    started = time.perf_counter()
    Counter.statements = 0
    vocab = vocabularies()
    paths = discover(folder)[:limit] if limit else discover(folder)
    owners: dict[str, str] = {}
    loaded = failed = 0
    with db.connect(settings) as driver:
        db.apply_schema(driver, settings)
        with driver.session(database=settings.neo4j.database) as session:
            session.execute_write(write_vocabulary)
            for path in paths:
                raw = read_page(folder, path, settings.ingest.max_page_bytes)
                record = raw if isinstance(raw, PageIssue) else transform(raw, vocab)
                if isinstance(record, PageIssue):
                    failed += 1
                    continue
                if record.gene_key in owners:  # the flow's rule: the smaller path wins
                    failed += 1
                    continue
                owners[record.gene_key] = relative_id(folder, path)
                session.execute_write(write_page, page_rows(record).rows)
                loaded += 1
        writer.collect_garbage(driver, settings)
        driver.execute_query(META, fingerprint=fingerprint(),  # type: ignore[arg-type]
                             database_=settings.neo4j.database)
    seconds = time.perf_counter() - started
    return {"pages": len(paths), "pages_loaded": loaded, "pages_failed": failed,
            "statements": Counter.statements, "transactions": loaded + 1,
            "seconds": round(seconds, 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    print(json.dumps(naive_load(args.path.resolve(), limit=args.limit)))


if __name__ == "__main__":
    main()
