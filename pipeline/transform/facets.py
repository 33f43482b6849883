"""gene_index.json -> the site's browse facets (body systems, pathways, categories) per gene.

Facet nodes are keyed `<kind>:<name>` (`pathway:WNT`), named exactly as the site names them.
An entry names its gene by symbol and NCBI gene id; it is linked to the chicken gene whose
page has that symbol (the gene id decides between pages sharing a symbol). Entries with no
such page are reported as warnings; bad entries are reported and skipped. `locations`,
`image_count` and `has_disease` are not loaded: the first two are derived from the pages
(already in the graph), and `has_disease` is false for every gene.

Memory is what this costs at scale (25x: a 30 MB index, 68k entries, 274k links), so the
unread fields are dropped while the JSON is decoded, facet names are interned, and the links
are one row per facet with its genes' keys (a dict per link, the decoded file whole: the
25x ingest's peak RSS went from 340 to 606 MB when the bench first loaded the index).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any

from pipeline.extract.pages import PageIssue
from pipeline.transform.data_files import decode_list, type_name

GENE_INDEX = "data/gene_index.json"
KINDS = {"systems": "system", "pathways": "pathway", "categories": "category"}
UNREAD = frozenset({"locations", "image_count", "has_disease"})


@dataclass(frozen=True)
class ChickGene:
    """A chicken gene of a page: what an index entry is matched against."""

    key: str
    symbol: str | None
    gene_id: str | None


@dataclass
class Facets:
    nodes: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)  # {facet_key, gene_keys}
    entries: int = 0
    problems: list[PageIssue] = field(default_factory=list)


def _check(index: int, entry: Any) -> str | None:
    if not isinstance(entry, dict):
        return f"[{index}]: expected an object, got {type_name(entry)}"
    for name in ("symbol", "gene_id"):
        if entry.get(name) is not None and not isinstance(entry[name], str):
            return f"[{index}].{name}: expected text, got {type_name(entry[name])}"
    if not entry.get("symbol") and not entry.get("gene_id"):
        return f"[{index}].symbol: missing (and no gene_id)"
    for name in KINDS:
        values = entry.get(name)
        if values is None:
            continue
        if not isinstance(values, list):
            return f"[{index}].{name}: expected a list, got {type_name(values)}"
        for i, value in enumerate(values):
            if not isinstance(value, str) or not value.strip():
                return f"[{index}].{name}[{i}]: expected a name, got {value!r}"
    return None


def _read_fields(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object of the index without the fields never read; facet names interned (each
    is repeated once per gene of the facet)."""
    entry = {}
    for key, value in pairs:
        if key in UNREAD:
            continue
        if key in KINDS and isinstance(value, list):
            value = [sys.intern(v) if type(v) is str else v for v in value]
        entry[key] = value
    return entry


def _match(entry: dict[str, Any], by_symbol: dict[str, list[ChickGene]],
           by_id: dict[str, list[ChickGene]]) -> ChickGene | None:
    candidates = by_symbol.get(entry.get("symbol") or "", [])
    if len(candidates) > 1:
        candidates = [g for g in candidates if g.gene_id == entry.get("gene_id")]
    if not candidates:
        candidates = by_id.get(entry.get("gene_id") or "", [])
    return candidates[0] if len(candidates) == 1 else None


def parse_gene_index(content: bytes, genes: list[ChickGene], path: str = GENE_INDEX) -> Facets:
    """gene_index.json bytes + the graph's chicken genes -> facet nodes and gene links."""
    facets = Facets()
    entries, problems = decode_list(path, content, _read_fields)
    facets.problems.extend(problems)
    by_symbol: dict[str, list[ChickGene]] = {}
    by_id: dict[str, list[ChickGene]] = {}
    for gene in genes:
        if gene.symbol:
            by_symbol.setdefault(gene.symbol, []).append(gene)
        if gene.gene_id:
            by_id.setdefault(gene.gene_id, []).append(gene)
    nodes: dict[str, dict[str, str]] = {}
    members: dict[str, set[str]] = {}  # facet key -> its genes' keys
    for index, entry in enumerate(entries or []):
        if (reason := _check(index, entry)) is not None:
            where, _, message = reason.partition(": ")
            facets.problems.append(PageIssue(path, where, f"{message}; entry skipped"))
            continue
        facets.entries += 1
        gene = _match(entry, by_symbol, by_id)
        if gene is None:
            facets.problems.append(PageIssue(
                path, f"[{index}].symbol", f"no single page for {entry.get('symbol')!r} "
                f"(gene_id {entry.get('gene_id')!r}); facets not linked", "warning"))
        for field_name, kind in KINDS.items():
            for name in entry.get(field_name) or []:
                key = f"{kind}:{name}"
                nodes.setdefault(key, {"key": key, "kind": kind, "name": name})
                if gene is not None:
                    members.setdefault(key, set()).add(gene.key)
    facets.nodes = [nodes[k] for k in sorted(nodes)]
    facets.links = [{"facet_key": f, "gene_keys": sorted(members[f])} for f in sorted(members)]
    return facets
