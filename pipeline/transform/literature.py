"""papers.json -> Publication rows, and image-source names -> the publications they cite.

Rules (docs/graph-model.md, "Literature"):
- An entry is keyed `PMID:<digits>`, `PMCID:PMC<digits>` (the site puts a few PMC ids in
  `pmid`) or `DOI:<doi, lower case>`; an entry with none of them, a `citation` that is not
  `<author> <year>`, or a field of the wrong type is reported and skipped.
- Two entries with one key (a duplicate PubMed id): the first gives the node's properties,
  the later one is reported; its citation still names the same paper (`Mou 2011` and
  `Moura 2011`), so it is kept in the node's `citations`.
- A source name is citation-shaped when it ends in a year: `Anderson et al. 2019`,
  `Smith and Jones 2004`, `Kimura 2010`. It resolves to every entry whose citation is
  `<first author> <year>` (case, accents and punctuation aside); names that are not
  citation-shaped (`GEISHA`, `Publication`, '') stay plain sources.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipeline.extract.pages import PageIssue
from pipeline.transform.data_files import decode_list, type_name

PAPERS = "data/papers.json"
_CITATION = re.compile(r"^\s*(?P<author>\S.*?)\s+(?P<year>(?:19|20)\d\d)[a-z]?\s*$")
_SOURCE = re.compile(
    r"^\s*(?P<author>[^,]+?)(?:\s+et\s+al\.?|\s+(?:and|&)\s+[^,]+?)?,?\s+"
    r"(?P<year>(?:19|20)\d\d)[a-z]?\s*$", re.IGNORECASE)
_TEXT_FIELDS = ("type", "citation", "pmid", "doi", "url", "title", "authors", "journal",
                "notes")


def citation_key(author: str, year: str) -> str:
    """`Geetha-Loganathan`, `geetha loganathan`, `Géetha-Loganathan` all give one key."""
    plain = unicodedata.normalize("NFKD", author).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", plain.casefold()) + f" {year}"


def source_citation(name: str | None) -> str | None:
    """The citation key of a citation-shaped source name, else None (not a citation)."""
    if not name:
        return None
    match = _SOURCE.match(name)
    return citation_key(match["author"], match["year"]) if match else None


@dataclass
class Papers:
    """What papers.json gives: node rows by key, and citation key -> publication keys."""

    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    by_citation: dict[str, list[str]] = field(default_factory=dict)
    entries: int = 0
    problems: list[PageIssue] = field(default_factory=list)


def _key(entry: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    pmid, doi = entry.get("pmid"), entry.get("doi")
    if pmid and re.fullmatch(r"\d+", pmid):
        return f"PMID:{pmid}", {"pubmed_id": pmid}
    if pmid and re.fullmatch(r"PMC\d+", pmid):
        return f"PMCID:{pmid}", {"pmc_id": pmid}
    if doi:
        return f"DOI:{doi.lower()}", {"doi": doi}
    return None


def _check(index: int, entry: Any) -> str | None:
    """Why the entry cannot be used (field: reason), or None."""
    if not isinstance(entry, dict):
        return f"[{index}]: expected an object, got {type_name(entry)}"
    for name in _TEXT_FIELDS:
        if name in entry and entry[name] is not None and not isinstance(entry[name], str):
            return f"[{index}].{name}: expected text, got {type_name(entry[name])}"
    year = entry.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
        return f"[{index}].year: expected an integer, got {type_name(year)}"
    citation = entry.get("citation")
    if not citation:
        return f"[{index}].citation: missing"
    if not _CITATION.match(citation):
        return f"[{index}].citation: {citation!r} has no year"
    pmid = entry.get("pmid")
    if pmid and not re.fullmatch(r"\d+|PMC\d+", pmid):
        return f"[{index}].pmid: {pmid!r} is neither a PubMed nor a PMC id"
    if _key(entry) is None:
        return f"[{index}].pmid: no PubMed id or DOI"
    return None


def parse_papers(content: bytes, path: str = PAPERS) -> Papers:
    """papers.json bytes -> publication rows; bad entries are reported and skipped."""
    papers = Papers()
    entries, problems = decode_list(path, content)
    papers.problems.extend(problems)
    first_index: dict[str, int] = {}
    for index, entry in enumerate(entries or []):
        if (reason := _check(index, entry)) is not None:
            where, _, message = reason.partition(": ")
            papers.problems.append(PageIssue(path, where, f"{message}; entry skipped"))
            continue
        key, ids = _key(entry)  # type: ignore[misc]  # _check made sure there is one
        match = _CITATION.match(entry["citation"])
        assert match is not None
        cite = citation_key(match["author"], match["year"])
        papers.entries += 1
        if key in papers.rows:
            papers.problems.append(PageIssue(
                path, f"[{index}].pmid", f"duplicate id {key} (first at [{first_index[key]}]); "
                "entry's fields skipped, its citation kept", "warning"))
            papers.rows[key]["citations"].append(entry["citation"])
        else:
            first_index[key] = index
            props: dict[str, Any] = {"key": key, **ids, "citations": [entry["citation"]]}
            for name in ("title", "authors", "journal", "url", "doi"):
                if entry.get(name):
                    props[name] = entry[name]
            if entry.get("year") is not None:
                props["year"] = entry["year"]
            papers.rows[key] = props
        keys = papers.by_citation.setdefault(cite, [])
        if key not in keys:
            keys.append(key)
    return papers


@dataclass(frozen=True)
class Resolution:
    """Source name -> publication keys, and the citation-shaped names with no entry."""

    links: list[dict[str, str]]
    unresolved: list[str]
    citations: int


def resolve_sources(names: list[str], papers: Papers) -> Resolution:
    """Match citation-shaped source names to papers.json entries (sorted, deterministic)."""
    links, unresolved, citations = [], [], 0
    for name in sorted(set(names)):
        cite = source_citation(name)
        if cite is None:
            continue
        citations += 1
        keys = papers.by_citation.get(cite)
        if not keys:
            unresolved.append(name)
            continue
        links.extend({"source_key": name, "publication_key": k} for k in sorted(keys))
    return Resolution(links, unresolved, citations)
