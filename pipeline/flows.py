"""The Prefect flow: extract -> transform -> load, over chunks of pages.

Chunks of pages are mapped to tasks (never one task per page: Prefect's per-task cost would
dominate). Parsing runs in a process pool so both cores work; loading is one writer, one
transaction per chunk, with retries on the task decorator.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pipeline.prefect_env import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.task_runners import ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from pipeline import cypher_files, db, load  # noqa: E402
from pipeline.chunks import (  # noqa: E402
    ChunkResult,
    chunked,
    fingerprint,
    process_chunk,
    vocabularies,
    worker_pool,
)
from pipeline.extract import discover, relative_id  # noqa: E402
from pipeline.retry import RETRY_DELAYS, is_transient  # noqa: E402
from pipeline.settings import Settings, get_settings  # noqa: E402
from pipeline.summary import IngestSummary, PageError  # noqa: E402
from pipeline.transform import PageRecord  # noqa: E402

ProgressCallback = Callable[[str, int, int], None]
_progress: ProgressCallback | None = None


def set_progress(callback: ProgressCallback | None) -> None:
    """Let the CLI draw a progress bar; the flow itself stays free of terminal code."""
    global _progress
    _progress = callback


def _advance(stage: str, done: int, total: int) -> None:
    if _progress is not None:
        _progress(stage, done, total)


@dataclass
class GraphState:
    """What the graph already holds: committed page hashes and which page owns which gene."""

    hashes: dict[str, str]
    owner_of_key: dict[str, str]
    key_of_page: dict[str, str]
    full_reload: bool


@dataclass
class RunState:
    summary: IngestSummary
    state: GraphState
    to_delete: set[str] = field(default_factory=set)


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def prepare_database() -> GraphState:
    """Schema first (constraints back every MERGE), then vocabularies, then what is loaded."""
    settings = get_settings()
    with db.connect(settings) as driver:
        db.apply_schema(driver, settings)
        current = fingerprint()
        full_reload = load.vocabulary_fingerprint(driver, settings) != current
        if full_reload:
            load.write_vocabulary(driver, settings, vocabularies())
        owners = db.run_read(driver, settings, cypher_files.load("load/page_owners"))
    hashes = {} if full_reload else {r["path"]: r["sha256"] for r in owners}
    return GraphState(
        hashes=hashes,
        owner_of_key={r["gene_key"]: r["path"] for r in owners},
        key_of_page={r["path"]: r["gene_key"] for r in owners},
        full_reload=full_reload,
    )


@task(cache_policy=NONE)
def extract_transform(
    root: str, paths: list[str], known: dict[str, str], max_bytes: int, workers: int
) -> ChunkResult:
    """Parse, validate and transform one chunk in the process pool (uses both cores)."""
    return worker_pool(workers).submit(process_chunk, root, paths, known, max_bytes).result()


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def load_chunk(rows: load.ChunkRows) -> int:
    """One transaction per chunk: a retry re-writes the whole chunk, never half of it."""
    settings = get_settings()
    with db.connect(settings) as driver:
        load.write_chunk(driver, settings, rows)
    return len(rows.paths)


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def finish(delete_paths: list[str], summary: IngestSummary, started_at: str) -> IngestSummary:
    """Delete pages that left the source, collect garbage, record the run."""
    settings = get_settings()
    with db.connect(settings) as driver:
        load.delete_pages(driver, settings, sorted(delete_paths))
        load.collect_garbage(driver, settings)
        load.set_vocabulary_fingerprint(driver, settings, fingerprint())
        nodes = db.run_read(driver, settings, cypher_files.load("stats/node_counts"))
        rels = db.run_read(driver, settings, cypher_files.load("stats/relationship_counts"))
        done = summary.model_copy(update={
            "nodes": {r["label"]: r["count"] for r in nodes if r["label"] != "IngestRun"},
            "relationships": {r["type"]: r["count"] for r in rels},
        })
        props: dict[str, Any] = {
            k: v for k, v in done.model_dump().items()
            if isinstance(v, str | int | float | bool) and v is not None
        }
        props |= {"started_at": started_at, "finished_at": _now(),
                  "errors": len(done.errors)}
        db.run_write(driver, settings, cypher_files.load("load/ingest_run"), {"props": props})
    return done


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _claim_keys(run: RunState, result: ChunkResult) -> list[PageRecord]:
    """Two pages describing one gene: the smaller path wins, deterministically; reported."""
    accepted = []
    for rec in result.records:
        owners, keys = run.state.owner_of_key, run.state.key_of_page
        old_key = keys.pop(rec.path, None)
        if old_key is not None and owners.get(old_key) == rec.path:
            del owners[old_key]
        holder = owners.get(rec.gene_key)
        if holder is not None and holder != rec.path:
            if holder < rec.path:
                run.summary.errors.append(PageError(
                    file=rec.path, field="gene_id",
                    message=f"{rec.gene_key} is already described by {holder}; page skipped"))
                run.summary.pages_failed += 1
                if old_key is not None:
                    run.to_delete.add(rec.path)
                continue
            run.summary.errors.append(PageError(
                file=holder, field="gene_id",
                message=f"{rec.gene_key} is also described by {rec.path}, which wins; "
                        "page removed"))
            run.to_delete.add(holder)
            keys.pop(holder, None)
        owners[rec.gene_key] = rec.path
        keys[rec.path] = rec.gene_key
        accepted.append(rec)
    return accepted


def _absorb(run: RunState, result: ChunkResult) -> load.ChunkRows:
    summary = run.summary
    summary.pages_unchanged += len(result.unchanged)
    summary.pages_failed += len(result.failed)
    summary.errors.extend(PageError(**issue.as_dict()) for issue in result.issues)
    accepted = _claim_keys(run, result)
    summary.pages_loaded += len(accepted)
    return load.chunk_rows(accepted)


@flow(name="chickgraph-ingest", log_prints=False,
      task_runner=ThreadPoolTaskRunner(max_workers=3))  # type: ignore[arg-type]
def ingest_flow(source: str, commit: str | None = None, strict: bool = False) -> IngestSummary:
    """Load a folder of gene pages into Neo4j; unchanged pages are skipped by hash."""
    settings: Settings = get_settings()
    started, started_at = time.perf_counter(), _now()
    root = Path(source)
    paths = [relative_id(root, p) for p in discover(root)]
    state = prepare_database()
    run = RunState(IngestSummary(run_id=str(uuid.uuid4()), source=str(root), commit=commit,
                                 pages_seen=len(paths), full_reload=state.full_reload), state)
    seen = set(paths)
    run.to_delete |= {p for p in state.hashes if p not in seen}
    if state.full_reload:
        run.to_delete |= {p for p in state.key_of_page if p not in seen}
    chunks = list(chunked(paths, settings.ingest.chunk_size))
    workers = settings.ingest.workers
    window: deque[PrefectFuture[ChunkResult]] = deque()
    done = 0

    def drain_one() -> None:
        nonlocal done
        result = window.popleft().result()
        rows = _absorb(run, result)
        if rows.paths:
            load_chunk.submit(quote(rows)).result()
        done += len(result.unchanged) + len(result.failed) + len(result.records)
        _advance("pages", done, len(paths))

    for chunk in chunks:
        known = {p: state.hashes[p] for p in chunk if p in state.hashes}
        window.append(extract_transform.submit(
            str(root), chunk, quote(known), settings.ingest.max_page_bytes, workers))
        if len(window) > workers:
            drain_one()
    while window:
        drain_one()
    if strict and run.summary.pages_failed:
        raise RuntimeError(
            f"--strict: {run.summary.pages_failed} page(s) failed; first: "
            f"{run.summary.errors[0].file}: {run.summary.errors[0].field}: "
            f"{run.summary.errors[0].message}")
    run.summary.pages_deleted = len([p for p in run.to_delete if p not in seen])
    run.summary.seconds = round(time.perf_counter() - started, 3)
    summary = finish(sorted(run.to_delete), quote(run.summary), started_at)
    summary.seconds = round(time.perf_counter() - started, 3)
    create_markdown_artifact(markdown=summary.markdown(), key="chickgraph-ingest-summary",
                             description=f"ChickGraph ingest of {root}")
    return summary

