"""The result of an ingestion run: what the CLI prints, the artifact shows, IngestRun stores."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.enrich.report import EnrichmentReport


class PageError(BaseModel):
    file: str
    field: str
    message: str
    severity: str = "error"


class IngestSummary(BaseModel):
    run_id: str
    source: str
    commit: str | None = None
    status: str = "completed"
    pages_seen: int = 0
    pages_loaded: int = 0
    pages_unchanged: int = 0
    pages_failed: int = 0
    pages_deleted: int = 0
    full_reload: bool = False
    seconds: float = 0.0
    nodes: dict[str, int] = Field(default_factory=dict)
    relationships: dict[str, int] = Field(default_factory=dict)
    errors: list[PageError] = Field(default_factory=list)
    # annotation databases re-applied at the end of the run (empty: none applied or listed)
    enrichment: list[EnrichmentReport] = Field(default_factory=list)

    def markdown(self) -> str:
        """A compact report for the Prefect artifact."""
        lines = [
            f"# ChickGraph ingest `{self.run_id}`",
            "",
            f"Source: `{self.source}`" + (f" at `{self.commit}`" if self.commit else ""),
            "",
            "| pages seen | loaded | unchanged | failed | deleted | seconds |",
            "|---|---|---|---|---|---|",
            f"| {self.pages_seen} | {self.pages_loaded} | {self.pages_unchanged} "
            f"| {self.pages_failed} | {self.pages_deleted} | {self.seconds:.1f} |",
            "",
            "| label | nodes |", "|---|---|",
            *[f"| {k} | {v} |" for k, v in self.nodes.items()],
            "",
            "| type | relationships |", "|---|---|",
            *[f"| {k} | {v} |" for k, v in self.relationships.items()],
        ]
        if self.errors:
            lines += ["", "| file | field | message |", "|---|---|---|"]
            lines += [f"| {e.file} | {e.field} | {e.message} |" for e in self.errors[:200]]
        for report in self.enrichment:
            lines += report.markdown()
        return "\n".join(lines)
