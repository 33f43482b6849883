"""gene_index.json -> the site's browse facets (body systems, pathways, categories) per gene.

Facet nodes are keyed `<kind>:<name>` (`pathway:WNT`), named exactly as the site names them.
An entry names its gene by symbol and NCBI gene id; it is linked to the chicken gene whose
page has that symbol (the gene id decides between pages sharing a symbol). Entries with no
such page are reported as warnings; bad entries are reported and skipped. `locations`,
`image_count` and `has_disease` are not loaded: the first two are derived from the pages
(already in the graph), and `has_disease` is false for every gene.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pipeline.extract.pages import PageIssue
from pipeline.transform.data_files import decode_list, type_name

GENE_INDEX = "data/gene_index.json"
KINDS = {"systems": "system", "pathways": "pathway", "categories": "category"}


@dataclass(frozen=True)
class ChickGene:
    """A chicken gene of a page: what an index entry is matched against."""

    key: str
    symbol: str | None
    gene_id: str | None


@dataclass
class Facets:
    nodes: list[dict[str, str]] = field(default_factory=list)
    links: list[dict[str, str]] = field(default_factory=list)
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
    entries, problems = decode_list(path, content)
    facets.problems.extend(problems)
    by_symbol: dict[str, list[ChickGene]] = {}
    by_id: dict[str, list[ChickGene]] = {}
    for gene in genes:
        if gene.symbol:
            by_symbol.setdefault(gene.symbol, []).append(gene)
        if gene.gene_id:
            by_id.setdefault(gene.gene_id, []).append(gene)
    nodes: dict[str, dict[str, str]] = {}
    links: set[tuple[str, str]] = set()
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
                    links.add((gene.key, key))
    facets.nodes = [nodes[k] for k in sorted(nodes)]
    facets.links = [{"gene_key": g, "facet_key": f} for g, f in sorted(links)]
    return facets
