"""What applying an enrichment did, and the ortholog consistency report that comes with it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.queries.named import OrthologConsistencyRow as ConsistencyPair


class EnrichmentReport(BaseModel):
    key: str
    species: str
    taxon_id: int
    source_date: str | None = None
    source_name: str | None = None
    package_version: str | None = None
    fingerprint: str | None = None
    genes: int = 0  # ortholog genes of the species with an NCBI id
    annotated: int = 0  # ... that the database knows
    not_found: list[str] = Field(default_factory=list)  # NCBI ids it does not know
    omim_links: int = 0
    inconsistent: list[ConsistencyPair] = Field(default_factory=list)
    error: str | None = None  # set when the database could not be obtained or applied

    def headline(self) -> str:
        if self.error is not None:
            return f"enrichment {self.key}: not applied: {self.error}"
        source = " ".join(x for x in (self.source_name, self.source_date) if x)
        return (f"enrichment {self.key} ({source}): {self.annotated} of {self.genes} "
                f"{self.species} ortholog genes annotated, {len(self.not_found)} not in the "
                f"database, {self.omim_links} OMIM links; {len(self.inconsistent)} ortholog "
                f"pairs to review (chickgraph query ortholog-consistency)")

    def markdown(self) -> list[str]:
        lines = ["", f"## Ortholog consistency: {self.key}", "", self.headline()]
        if self.inconsistent:
            lines += ["", f"| chick gene | chick name | {self.species} id | {self.species} "
                          "symbol | name |", "|---|---|---|---|---|"]
            lines += [f"| {p.chick_symbol} | {p.chick_name or ''} | {p.ncbi_id or p.ortholog_key}"
                      f" | {p.ortholog_symbol or '(not in the database)'} "
                      f"| {p.ortholog_name or ''} |" for p in self.inconsistent]
        return lines
