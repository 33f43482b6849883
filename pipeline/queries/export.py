"""Rebuild a page's front matter from the graph alone: the proof that loading is lossless.

Documented normalisations (the only differences from the parsed source):
- keys with non-breaking or repeated spaces come back with single plain spaces;
- nothing else: absent vs null keys, list order, `''` values and comma-joined ids are kept.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from neo4j import Driver

from pipeline.load import cypher_files, db
from pipeline.queries.symbols import resolve_symbol
from pipeline.settings import Settings
from pipeline.transform.records import GENE_SCALARS


def _native(value: Any) -> Any:
    """Neo4j temporal values -> Python ones (the page's `date:` is a YAML date)."""
    to_native = getattr(value, "to_native", None)
    return to_native() if callable(to_native) else value


def _from_json(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    return json.loads(text, object_hook=_date_hook)


def _date_hook(obj: dict[str, Any]) -> Any:
    if set(obj) == {"__date__"}:
        text = obj["__date__"]
        return dt.datetime.fromisoformat(text) if "T" in text else dt.date.fromisoformat(text)
    return obj


def _entry(props: dict[str, Any]) -> dict[str, Any]:
    """An image / ortholog row / source / paper as the page wrote it, keys in order."""
    nulls = set(props.get("null_fields") or [])
    extra = _from_json(props.get("extra_json"))
    out: dict[str, Any] = {}
    for name in props.get("fields") or []:
        if name in nulls:
            out[name] = None
        elif name in extra:
            out[name] = extra[name]
        else:
            out[name] = _native(props[name])
    return out


def rebuild(row: dict[str, Any]) -> dict[str, Any]:
    """One result row of `export/page` -> the page's front matter."""
    page, gene = row["page"], row["gene"]
    nulls = set(page.get("null_keys") or [])
    extra = _from_json(page.get("extra_json"))
    structured = {
        "images": lambda: [_entry(i) for i in row["images"]],
        "orthologs": lambda: [_entry(r) for r in row["orthologs"]],
        "sources": lambda: [_entry(s) for s in row["sources"]],
        "papers": lambda: [_entry(p) for p in row["papers"]],
        "external_ids": lambda: _external_ids(gene),
        "template_length": lambda: gene.get("template_length_raw",
                                            str(gene.get("template_length"))),
    }
    front: dict[str, Any] = {}
    for key in page["keys"]:
        if key in nulls:
            front[key] = None
        elif key in structured:
            front[key] = structured[key]()
        elif key in GENE_SCALARS:
            front[key] = _native(gene[key])
        else:
            front[key] = extra[key]
    return front


def _external_ids(gene: dict[str, Any]) -> dict[str, str | None]:
    nulls = set(gene.get("external_id_nulls") or [])
    labels = gene.get("external_id_labels") or []
    urls = gene.get("external_id_urls") or []
    return {label: (None if label in nulls else url)
            for label, url in zip(labels, urls, strict=True)}


def export_page(
    driver: Driver, settings: Settings, symbol: str | None = None, path: str | None = None
) -> list[tuple[str, dict[str, Any]]]:
    """(page path, front matter) for the page(s) with this symbol, or the page at `path`.

    A symbol that finds no page is tried as the page symbol it equals ignoring case.
    """
    statement = cypher_files.load("export/page")
    rows = db.run_read(driver, settings, statement, {"symbol": symbol, "path": path})
    if not rows and symbol is not None and path is None:
        meant = resolve_symbol(driver, settings, symbol)
        if meant is not None:
            rows = db.run_read(driver, settings, statement, {"symbol": meant, "path": None})
    return [(row["page"]["path"], rebuild(row)) for row in rows]


def all_paths(driver: Driver, settings: Settings) -> list[str]:
    rows = db.run_read(driver, settings, cypher_files.load("export/all_pages"))
    return [row["path"] for row in rows]
