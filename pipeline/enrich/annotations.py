"""Annotations read from a database (extract) and turned into Gene property rows (pure).

Values are written as `ann_*` properties so they never mix with what the pages say: the
page-derived properties of an ortholog Gene (`ncbi_id`, `symbols` from its rows...) are left
untouched, and removing the enrichment gives back exactly the page-derived graph.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.enrich.obtain import LocalDatabase, connect
from pipeline.enrich.table import FIELDS, LIST_FIELDS, SCALAR_FIELDS, Database

PREFIX = "ann_"
SOURCE_PROPERTY = "ann_source"  # the database key: which enrichment wrote a gene's values
# true on a gene a curator should review (cypher/enrich/review_flags.cypher), else absent
REVIEW_PROPERTY = "ann_review"


@dataclass(frozen=True, slots=True)
class Annotation:
    """What a database says of one gene: each field a value, or a sorted tuple of values."""

    values: dict[str, Any]


def read(database: Database, path: Path, gene_ids: Iterable[str]) -> dict[str, Annotation]:
    """The annotations of the given NCBI gene ids (ids the database lacks are left out).

    Each statement reads a whole table (tens of thousands of rows, well under a second) and
    is filtered here: no id list is spliced into SQL and no parameter limit applies.
    """
    wanted = set(gene_ids)
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    with closing(connect(path)) as conn:
        for field in FIELDS:
            sql = database.statement(field)
            if sql is None:
                continue
            values: dict[str, set[str]] = defaultdict(set)
            for gene_id, value in conn.execute(sql):
                gene = str(gene_id)
                if gene in wanted and value is not None and str(value).strip():
                    values[gene].add(str(value).strip())
            for gene, items in values.items():
                # a scalar field with two values (never seen): the smallest, deterministically
                found[gene][field] = min(items) if field in SCALAR_FIELDS else tuple(sorted(items))
    return {gene: Annotation(values) for gene, values in found.items() if "symbol" in values}


def gene_rows(
    database: Database, targets: Iterable[tuple[str, str]], annotations: dict[str, Annotation]
) -> list[dict[str, Any]]:
    """One row per target gene (key, NCBI id): every `ann_*` property, None where unknown.

    `SET o += props` with None removes a property, so a newer database that drops an alias or
    a gene replaces the old values exactly. A gene the database does not know keeps only
    `ann_source` (it was looked up, and is not there), which the consistency report shows.
    """
    rows = []
    for key, gene_id in sorted(targets):
        values = annotations.get(gene_id, Annotation({})).values
        props: dict[str, Any] = {SOURCE_PROPERTY: database.key}
        for field in FIELDS:
            value = values.get(field)
            if field in LIST_FIELDS:
                value = list(value) if value else None
            props[PREFIX + field] = value
        rows.append({"key": key, "props": props,
                     "omim_ids": list(values.get("omim_ids") or ())})
    return rows


def cleared_props() -> dict[str, None]:
    """Every enrichment property set to None: `SET o += cleared` removes them all."""
    return ({SOURCE_PROPERTY: None, REVIEW_PROPERTY: None}
            | {PREFIX + field: None for field in FIELDS})


def fingerprint(database: Database, local: LocalDatabase) -> str:
    """The database file and the table entry that reads it: either changing changes this."""
    digest = hashlib.sha256()
    digest.update(local.sha256.encode())
    digest.update(database.model_dump_json().encode())
    return digest.hexdigest()
