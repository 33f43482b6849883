"""The Prefect flow: extract -> transform -> load, over chunks of pages.

Chunks of pages are mapped to tasks (never one task per page: Prefect's per-task cost would
dominate). Parsing runs in a process pool so both cores work; loading is one writer, one
transaction per chunk, with retries on the task decorators (transient Neo4j errors only).
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from pipeline.flow.prefect_env import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NONE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.futures import PrefectFuture  # noqa: E402
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402

from pipeline.errors import ConfigError, StrictModeFailure  # noqa: E402
from pipeline.extract import release, sources  # noqa: E402
from pipeline.extract.pages import discover, relative_id  # noqa: E402
from pipeline.ingest import release as release_data  # noqa: E402
from pipeline.ingest.chunks import (  # noqa: E402
    ChunkResult,
    chunked,
    fewer_gc_pauses,
    fingerprint,
    process_chunk,
    vocabularies,
    worker_pool,
)
from pipeline.ingest.summary import IngestSummary, PageError  # noqa: E402
from pipeline.load import cypher_files, db, lock, writer  # noqa: E402
from pipeline.load.retry import RETRY_DELAYS, is_transient  # noqa: E402
from pipeline.load.rows import ChunkRows, merge_rows  # noqa: E402
from pipeline.settings import Settings, get_settings  # noqa: E402

FLOW_NAME = "chickgraph-ingest"
T = TypeVar("T")
ProgressCallback = Callable[[str, int, int], None]
_progress: ProgressCallback | None = None


def set_progress(callback: ProgressCallback | None) -> None:
    """Let the CLI draw a progress bar; the flow itself stays free of terminal code."""
    global _progress
    _progress = callback


def _advance(stage: str, done: int, total: int) -> None:
    if _progress is not None:
        _progress(stage, done, total)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass
class GraphState:
    """What the graph already holds: committed page hashes and which page owns which gene."""

    hashes: dict[str, str]
    owner_of_key: dict[str, str]
    key_of_page: dict[str, str]
    full_reload: bool
    gc_owed: bool = False  # an earlier run died after writing, before collecting garbage


@dataclass
class RunState:
    summary: IngestSummary
    state: GraphState
    to_delete: set[str] = field(default_factory=set)
    # pages that lost their gene to a smaller path this run (already reported and counted)
    displaced: set[str] = field(default_factory=set)


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def fetch_source(name: str) -> tuple[str, str | None]:
    """Clone or pull a named source; returns the pages folder and the commit id."""
    checkout = sources.checkout(get_settings(), name)
    return str(checkout.folder), checkout.commit


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def prepare_database(run_id: str, source: str, lock_wait_s: float) -> GraphState:
    """Lock, schema (constraints back every MERGE), vocabularies, then what is loaded."""
    settings = get_settings()
    driver = db.shared_driver(settings)
    lock.acquire(driver, settings, run_id, source, wait_s=lock_wait_s)
    db.apply_schema(driver, settings)
    current = fingerprint()
    full_reload = writer.vocabulary_fingerprint(driver, settings) != current
    if full_reload:
        writer.write_vocabulary(driver, settings, vocabularies())
    owners = db.run_read(driver, settings, cypher_files.load("load/page_owners"))
    return GraphState(
        hashes={} if full_reload else {r["path"]: r["sha256"] for r in owners},
        owner_of_key={r["gene_key"]: r["path"] for r in owners},
        key_of_page={r["path"]: r["gene_key"] for r in owners},
        full_reload=full_reload,
        gc_owed=lock.gc_pending(driver, settings),
    )


@task(cache_policy=NONE)
def extract_transform(
    root: str, paths: list[str], known: dict[str, str], max_bytes: int, workers: int
) -> ChunkResult:
    """Parse, validate and transform one chunk: in the local process pool (uses both cores),
    or right here (`workers` 0) when the task itself runs on a Dask worker process."""
    if workers == 0:
        return process_chunk(root, paths, known, max_bytes)
    return worker_pool(workers).submit(process_chunk, root, paths, known, max_bytes).result()


class Sealed(Generic[T]):
    """Task input that neither Prefect nor Dask walks (a chunk's rows: ~100k objects).

    Prefect's `quote()` does this on the local runner, but it is a namedtuple, which Dask's
    graph builder turns into a plain tuple; an ordinary object is passed through by both.
    """

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def load_chunk(sealed: Sealed[ChunkRows], run_id: str) -> int:
    """One transaction per chunk: a retry re-writes the whole chunk, never half of it."""
    rows = sealed.value
    settings = get_settings()
    driver = db.shared_driver(settings)
    lock.set_gc_pending(driver, settings, True)
    writer.write_chunk(driver, settings, rows)
    lock.heartbeat(driver, settings, run_id)
    return len(rows.paths)


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def sync_release_data(
    release_root: str, deleted: list[str], pages_changed: bool
) -> release_data.ReleaseReport:
    """The release's data files (papers, facets), after the pages: see pipeline/ingest/release."""
    settings = get_settings()
    files = release.read_data_files(release.locate(Path(release_root)))
    return release_data.sync_release(db.shared_driver(settings), settings, files,
                                     sorted(deleted), pages_changed)


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def finish(delete_paths: list[str], summary: IngestSummary, gc_owed: bool) -> IngestSummary:
    """Delete pages that left the source, collect garbage, count what the graph holds."""
    settings = get_settings()
    driver = db.shared_driver(settings)
    if delete_paths:
        lock.set_gc_pending(driver, settings, True)
        writer.delete_pages(driver, settings, sorted(delete_paths))
    if delete_paths or summary.pages_loaded or summary.full_reload or gc_owed:
        writer.collect_garbage(driver, settings)  # nothing can be orphaned otherwise
        lock.set_gc_pending(driver, settings, False)
    writer.set_vocabulary_fingerprint(driver, settings, fingerprint())
    nodes = db.run_read(driver, settings, cypher_files.load("stats/node_counts"))
    rels = db.run_read(driver, settings, cypher_files.load("stats/relationship_counts"))
    return summary.model_copy(update={
        "nodes": {r["label"]: r["count"] for r in nodes if r["label"] != "IngestRun"},
        "relationships": {r["type"]: r["count"] for r in rels},
    })


@task(retries=3, retry_delay_seconds=RETRY_DELAYS, retry_condition_fn=is_transient,
      cache_policy=NONE)
def record_run(summary: IngestSummary, started_at: str) -> None:
    """The (:IngestRun) node, then the lock is released."""
    settings = get_settings()
    driver = db.shared_driver(settings)
    props: dict[str, Any] = {
        k: v for k, v in summary.model_dump().items()
        if isinstance(v, str | int | float | bool) and v is not None
    }
    props |= {"started_at": started_at, "finished_at": _now(), "errors": len(summary.errors)}
    db.run_write(driver, settings, cypher_files.load("load/ingest_run"), {"props": props})
    lock.release(driver, settings, summary.run_id)


def _lose(run: RunState, path: str, message: str) -> None:
    run.summary.errors.append(PageError(file=path, field="gene_id", message=message))
    run.summary.pages_failed += 1
    run.displaced.add(path)


def _claim_keys(run: RunState, result: ChunkResult) -> tuple[list[Any], list[str]]:
    """Two pages describing one gene: the smaller path wins, deterministically; reported.

    Returns the records to write and the graph pages to delete in the same transaction: a
    page that held the gene in the graph and now loses it to a smaller path.
    """
    accepted, displace = [], []
    owners, keys = run.state.owner_of_key, run.state.key_of_page
    for rec in result.pages:
        if rec.path in run.displaced:
            continue  # lost earlier in this run; reported then
        old_key = keys.pop(rec.path, None)
        if old_key is not None and owners.get(old_key) == rec.path:
            del owners[old_key]
        holder = owners.get(rec.gene_key)
        if holder is not None and holder != rec.path:
            if holder < rec.path:
                _lose(run, rec.path,
                      f"{rec.gene_key} is already described by {holder}; page skipped")
                if old_key is not None:
                    displace.append(rec.path)
                continue
            _lose(run, holder, f"{rec.gene_key} is also described by {rec.path}, which wins; "
                               "page removed")
            displace.append(holder)
            keys.pop(holder, None)
        owners[rec.gene_key] = rec.path
        keys[rec.path] = rec.gene_key
        accepted.append(rec)
    return accepted, displace


def _absorb(run: RunState, result: ChunkResult) -> ChunkRows:
    summary = run.summary
    summary.errors.extend(PageError(**issue.as_dict()) for issue in result.issues)
    accepted, displace = _claim_keys(run, result)  # first: it may displace pages seen below
    summary.pages_unchanged += len([p for p in result.unchanged if p not in run.displaced])
    summary.pages_failed += len(result.failed)
    summary.pages_loaded += len(accepted)
    return merge_rows(accepted, delete_paths=displace)


def _stream_chunks(run: RunState, root: Path, paths: list[str]) -> None:
    """Parse ahead of the single writer, with a bounded window so memory stays flat."""
    settings = get_settings()
    workers = settings.ingest.workers
    # Only the local thread runner parses in a process pool; on Dask every task already runs
    # in a worker process of its own (a daemon, which could not start a pool anyway).
    context = FlowRunContext.get()
    local = context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
    pool_size = workers if local else 0
    window: deque[PrefectFuture[ChunkResult]] = deque()
    done = 0

    def drain_one() -> None:
        nonlocal done
        result = window.popleft().result()
        rows = _absorb(run, result)
        if rows.paths or rows.delete_paths:
            load_chunk.submit(Sealed(rows), run.summary.run_id).result()
        done += len(result.unchanged) + len(result.failed) + len(result.pages)
        # Prefect's run context keeps every task's inputs and result for the whole run: empty
        # the big ones once written, or memory grows with the corpus (measured 3x at 25x).
        result.pages.clear()
        result.unchanged.clear()
        for statement_rows in rows.rows.values():
            statement_rows.clear()
        _advance("pages", done, len(paths))

    with fewer_gc_pauses():
        for chunk in chunked(paths, settings.ingest.chunk_size):
            known = {p: run.state.hashes[p] for p in chunk if p in run.state.hashes}
            window.append(extract_transform.submit(
                str(root), chunk, known, settings.ingest.max_page_bytes, pool_size))
            if len(window) > workers:
                drain_one()
        while window:
            drain_one()


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """The flow's task runner from config: local threads (+ process pool), or Dask.

    `ingest.task_runner: dask` runs every task on a Dask cluster: the one at
    `ingest.dask.address`, or a temporary local cluster of `ingest.workers` single-threaded
    processes (parsing is pure Python: one thread per process uses a core each).
    """
    if settings.ingest.task_runner == "threads":
        return ThreadPoolTaskRunner(max_workers=3)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise ConfigError("ingest.task_runner is dask but prefect-dask is not installed: "
                          "pip install 'chickgraph[dask]'") from exc
    if settings.ingest.dask.address:
        return DaskTaskRunner(address=settings.ingest.dask.address)
    return DaskTaskRunner(cluster_kwargs={
        "n_workers": settings.ingest.workers, "threads_per_worker": 1, "processes": True,
        "dashboard_address": None})


@flow(name=FLOW_NAME, log_prints=False, task_runner=task_runner(get_settings()))
def ingest_flow(
    source: str | None = None, source_name: str | None = None, strict: bool = False,
    lock_wait_s: float = 0,
) -> IngestSummary:
    """Load (sync) a folder or named source of gene pages into Neo4j.

    Unchanged pages are skipped by hash, removed pages deleted, bad pages reported (they keep
    their previous data unless `strict`, which fails the run).
    """
    started, started_at = time.perf_counter(), _now()
    commit = None
    if source is None:
        source, commit = fetch_source(source_name or sources.DEFAULT)
    layout = release.locate(Path(source))  # a release root, a corpus folder or bare pages
    root = layout.pages
    paths = [relative_id(root, p) for p in discover(root)]
    run_id = str(uuid.uuid4())
    state = prepare_database(run_id, str(layout.root), lock_wait_s)
    run = RunState(IngestSummary(run_id=run_id, source=str(layout.root), commit=commit,
                                 pages_seen=len(paths), full_reload=state.full_reload), state)
    try:
        seen = set(paths)
        run.to_delete |= {p for p in state.key_of_page if p not in seen}
        _stream_chunks(run, root, paths)
        run.summary.pages_deleted = len([p for p in run.to_delete if p not in seen])
        changed = bool(run.summary.pages_loaded or run.to_delete or run.displaced
                       or state.full_reload or state.gc_owed)
        release_data.add_to_summary(run.summary, sync_release_data(
            str(layout.root), sorted(run.to_delete), changed))
        summary = finish(sorted(run.to_delete), quote(run.summary), state.gc_owed)
        if strict and summary.pages_failed:
            summary.status = "failed"
    except BaseException:
        run.summary.status = "failed"
        run.summary.seconds = round(time.perf_counter() - started, 3)
        record_run(quote(run.summary), started_at, return_state=True)  # best effort
        raise
    summary.seconds = round(time.perf_counter() - started, 3)
    record_run(quote(summary), started_at)
    create_markdown_artifact(markdown=summary.markdown(), key="chickgraph-ingest-summary",
                             description=f"ChickGraph ingest of {root}")
    if summary.status == "failed":
        first = summary.errors[0]
        raise StrictModeFailure(
            f"--strict: {summary.pages_failed} page(s) failed validation; first: "
            f"{first.file}: {first.field}: {first.message}")
    return summary
