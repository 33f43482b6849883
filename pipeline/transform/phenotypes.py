"""An ortholog row's `phenotypes` text -> what it means for that species. Pure.

The column means three things (docs/graph-model.md, "Phenotypes"):
- Human: OMIM ids, `MIM:613287, MIM:600001` -> `omim_ids: ["613287", "600001"]` (digits).
- Zebrafish: biological-process terms, comma-separated -> `process_terms`. A comma inside
  parentheses belongs to the term (`... (SSU-rRNA, 5.8S rRNA, LSU-rRNA)`).
- Mouse: `All phenotypic alleles (5):Targeted, knock-out(3) Targeted, other(2)` ->
  `allele_types: ["Targeted, knock-out", "Targeted, other"]`, `allele_counts: [3, 2]`
  (parallel lists: Neo4j stores no maps), `allele_total: 5`.

Text that does not split cleanly (an unexpected token among OMIM ids, unbalanced
parentheses, an empty term, allele counts that do not add up to the total, a species with
no known meaning) yields nothing structured: the row gets `phenotypes_unsplit: true` and
keeps its raw `phenotypes` like every row (export stays lossless). Nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any

_MIM = re.compile(r"MIM:(\d+)")
_ALLELES = re.compile(r"All phenotypic alleles \((\d+)\):(.*)", re.DOTALL)
_ALLELE = re.compile(r"\s*([^()]+?)\((\d+)\)")


def omim_ids(text: str) -> list[str] | None:
    ids = []
    for token in text.split(","):
        match = _MIM.fullmatch(token.strip())
        if match is None:
            return None
        if match[1] not in ids:
            ids.append(match[1])
    return ids


def process_terms(text: str) -> list[str] | None:
    """Split on commas outside parentheses; None if the parentheses do not balance."""
    terms, depth, current = [], 0, []
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        if char == "," and depth == 0:
            terms.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    terms.append("".join(current).strip())
    if depth != 0 or not all(terms):
        return None
    return list(dict.fromkeys(terms))


def allele_counts(text: str) -> tuple[int, list[str], list[int]] | None:
    match = _ALLELES.fullmatch(text.strip())
    if match is None:
        return None
    rest, types, counts = match[2], [], []
    position = 0
    for part in _ALLELE.finditer(rest):
        if part.start() != position:
            return None
        types.append(part[1].strip())
        counts.append(int(part[2]))
        position = part.end()
    if rest[position:].strip() or sum(counts) != int(match[1]) or not types:
        return None
    return int(match[1]), types, counts


HUMAN, MOUSE, ZEBRAFISH = 9606, 10090, 7955


def structured(taxon_id: int | None, text: Any) -> dict[str, Any]:
    """Properties to add to the ortholog row: the structured reading, or the unsplit flag."""
    if not text or not isinstance(text, str):
        return {}
    if taxon_id == HUMAN:
        ids = omim_ids(text)
        if ids:
            return {"omim_ids": ids}
    elif taxon_id == ZEBRAFISH:
        terms = process_terms(text)
        if terms:
            return {"process_terms": terms}
    elif taxon_id == MOUSE:
        alleles = allele_counts(text)
        if alleles:
            total, types, counts = alleles
            return {"allele_total": total, "allele_types": types, "allele_counts": counts}
    return {"phenotypes_unsplit": True}
