"""The result of an ingestion run: what the CLI prints, the artifact shows, IngestRun stores."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.enrich.report import EnrichmentReport

# The flow's steps, in the order it runs them (pipeline/flow/flows.py, `_step`): the names of
# `step_seconds`, and the columns of the bench's table of them
FLOW_STEPS = ("prepare", "pages", "release", "finish", "enrich", "statistics")
# The artifact's table of problems stops here (a Prefect UI page, not a report: --json has
# them all, and the table says how many it left out)
ARTIFACT_ERRORS = 200


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
    # the release's data files (pipeline/ingest/release.py)
    data_files: list[str] = Field(default_factory=list)
    data_written: bool = False
    publications_listed: int = 0
    facets: int = 0
    citation_sources: int = 0
    citations_unresolved: list[str] = Field(default_factory=list)
    phenotypes_unsplit: int = 0
    seconds: float = 0.0
    # seconds of each step the flow ran, in its order (`steps_line`): where a run's time went
    # without a profiler; a step the run skipped is absent
    step_seconds: dict[str, float] = Field(default_factory=dict)
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
            *([self.steps_line(), ""] if self.step_seconds else []),
            *self._release_lines(),
            "| label | nodes |", "|---|---|",
            *[f"| {k} | {v} |" for k, v in self.nodes.items()],
            "",
            "| type | relationships |", "|---|---|",
            *[f"| {k} | {v} |" for k, v in self.relationships.items()],
        ]
        if self.errors:
            lines += ["", "| file | field | message |", "|---|---|---|"]
            lines += [f"| {e.file} | {e.field} | {e.message} |"
                      for e in self.errors[:ARTIFACT_ERRORS]]
            if len(self.errors) > ARTIFACT_ERRORS:
                lines.append(f"| ... | | {len(self.errors) - ARTIFACT_ERRORS} more: "
                             "`chickgraph ingest --json` lists them all |")
        for report in self.enrichment:
            lines += report.markdown()
        return "\n".join(lines)

    def steps_line(self) -> str:
        """"steps: prepare 0.25 s, pages 10.40 s, ..." (CLI and artifact)."""
        return "steps: " + ", ".join(f"{name} {seconds:.2f} s"
                                     for name, seconds in self.step_seconds.items())

    def release_text(self) -> list[str]:
        """The data files' part of the report, one line each (CLI and artifact)."""
        lines = [f"ortholog rows whose phenotypes did not split: {self.phenotypes_unsplit}"]
        if not self.data_files:
            return lines
        lines += [f"data files: {', '.join(self.data_files)}"
                  + ("" if self.data_written else " (unchanged)"),
                  f"publications listed: {self.publications_listed}; facets: {self.facets}"]
        if self.citation_sources:
            lines.append(
                f"citation-shaped sources: {self.citation_sources}, unresolved "
                f"{len(self.citations_unresolved)}"
                + (f": {'; '.join(self.citations_unresolved)}"
                   if self.citations_unresolved else ""))
        return lines

    def _release_lines(self) -> list[str]:
        text = self.release_text()  # never empty
        return [*(f"- {line}" for line in text), ""]
