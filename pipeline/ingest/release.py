"""Sync a release's data files (papers.json, gene_index.json, orthologs.json) into the graph.

Runs once per ingest, after the pages are written and before garbage collection. What the
data files contribute (Publication properties, Source -> Publication links, Facet nodes and
their links, one DataFile node per file with its SHA-256) depends on the files AND on the
pages (which genes and sources exist), so when either changed it is all removed and written
again in ONE transaction: the result equals a fresh load of the release by construction,
and a crash leaves either the old or the new state. When nothing changed (same hashes, no
page loaded or deleted) nothing is written.

This module plans (a pure function of the files and the graph's genes and sources) and
decides; the read and the one write transaction are load's (`pipeline/load/writer.py`).

orthologs.json is hashed and recorded but not read: the pages' ortholog tables carry the
same rows, and those are what the graph models.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from neo4j import Driver

from pipeline.extract.pages import PageIssue
from pipeline.extract.release import DataFile, locate, read_data_files
from pipeline.ingest.summary import IngestSummary, PageError
from pipeline.load import writer
from pipeline.settings import Settings
from pipeline.transform.facets import GENE_INDEX, ChickGene, Facets, parse_gene_index
from pipeline.transform.literature import PAPERS, Papers, parse_papers, resolve_sources

RELEASE_MODEL = "2"  # bump when what the data files write changes, so that a graph written
# before is rewritten on its next ingest even though no file changed
# (2: Facet.name_lower, the index facet-genes-in-tissue seeks instead of scanning facets)


@dataclass
class ReleaseReport:
    """What the step did: for the run summary."""

    written: bool = False
    data_files: list[str] = field(default_factory=list)
    publications: int = 0
    facets: int = 0
    citation_sources: int = 0
    citations_unresolved: list[str] = field(default_factory=list)
    phenotypes_unsplit: int = 0
    problems: list[PageIssue] = field(default_factory=list)


def plan(files: dict[str, DataFile], genes: list[ChickGene], sources: list[str]
         ) -> tuple[dict[str, list[dict[str, Any]]], ReleaseReport]:
    """Pure: data files + the graph's genes and source names -> rows per statement."""
    report = ReleaseReport(data_files=sorted(files))
    papers = parse_papers(files[PAPERS].content) if PAPERS in files else Papers()
    facets = (parse_gene_index(files[GENE_INDEX].content, genes) if GENE_INDEX in files
              else Facets())
    report.problems = papers.problems + facets.problems
    counts = {PAPERS: papers.entries, GENE_INDEX: facets.entries}
    file_rows = []
    for path, file in sorted(files.items()):
        problems = [p for p in report.problems if p.file == path]
        row: dict[str, Any] = {"path": path, "sha256": file.sha256, "model": RELEASE_MODEL,
                               "problems": len(problems)}
        if path in counts:
            row["entries"] = counts[path]
        file_rows.append(row)
    rows = {
        "release_data_files": file_rows,
        "release_publications": [papers.rows[k] for k in sorted(papers.rows)],
        "release_facets": facets.nodes,
        "release_facet_links": facets.links,
    }
    if PAPERS in files:
        resolution = resolve_sources(sources, papers)
        rows["release_citations"] = resolution.links
        report.citation_sources = resolution.citations
        report.citations_unresolved = resolution.unresolved
    else:
        rows["release_citations"] = []
    report.publications = len(papers.rows)
    report.facets = len(facets.nodes)
    return rows, report


Planned = tuple[dict[str, list[dict[str, Any]]], ReleaseReport, dict[str, tuple[str, str]]]


def plan_release(release_root: str, genes: list[ChickGene], sources: list[str]) -> Planned:
    """Read the release's data files and plan their rows, with each file's (hash, model).

    Pure but for reading the files, so it can run in the ingest's parse pool: there the
    decoded index never enters the ingest's own process (25x: 30 MB of JSON, a 68 MB peak
    for the plan, against ~11 MB to send the genes and receive the rows)."""
    files = read_data_files(locate(Path(release_root)))
    rows, report = plan(files, genes, sources)
    return rows, report, {path: (file.sha256, RELEASE_MODEL) for path, file in files.items()}


def sync_release(driver: Driver, settings: Settings, release_root: str,
                 deleted_paths: list[str], pages_changed: bool,
                 pool: Executor | None = None) -> ReleaseReport:
    """Apply the data files if they, the pages or RELEASE_MODEL changed; report either way.
    They are read and planned in `pool` (a process pool) when given, else here."""
    state = writer.release_state(driver, settings, deleted_paths)
    stored = {path: (sha, model) for path, sha, model in state["hashes"]}
    genes = [ChickGene(key, symbol, gene_id) for key, symbol, gene_id in state["genes"]]
    if pool is None:
        rows, report, current = plan_release(release_root, genes, state["sources"])
    else:
        rows, report, current = pool.submit(plan_release, release_root, genes,
                                            state["sources"]).result()
    report.phenotypes_unsplit = state["unsplit"]
    if pages_changed or stored != current:
        writer.write_release(driver, settings, rows)
        report.written = True
    return report


def add_to_summary(summary: IngestSummary, report: ReleaseReport) -> None:
    """Data-file problems join the page problems (file, field, reason); counts alongside."""
    summary.errors.extend(PageError(**p.as_dict()) for p in report.problems)
    summary.data_files = report.data_files
    summary.data_written = report.written
    summary.publications_listed = report.publications
    summary.facets = report.facets
    summary.citation_sources = report.citation_sources
    summary.citations_unresolved = report.citations_unresolved
    summary.phenotypes_unsplit = report.phenotypes_unsplit
