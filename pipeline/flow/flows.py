"""The Prefect flow: extract -> transform -> load, over chunks of pages.

Chunks of pages are mapped to tasks (never one task per page: Prefect's per-task cost would
dominate). Parsing runs in a process pool so both cores work; loading is one writer, one
transaction per chunk, with retries on the task preset (transient Neo4j errors only). What
the flow shares with the bulk floor of bench/bulk.py (gene-key claims, the parse-ahead
window, counts, the run record) is in `pipeline.ingest.core`; this module adds Prefect and
transactions.

Importing this module configures nothing and reads no settings. Prefect reads its own
environment when `prefect` is first imported, so commands go through
`pipeline.flow.runner.run_ingest_flow`, which configures Prefect first and then calls the
flow with the task runner of the settings and a progress callback. Calling `ingest_flow`
directly (tests, the Prefect worker of a deployment) gets the settings' runner too, chosen
when the run starts (`ConfiguredTaskRunner`).
"""

import contextlib
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from pipeline.enrich import apply as enrichment
from pipeline.errors import ConfigError, SourceError, StrictModeFailure
from pipeline.extract import release, sources
from pipeline.extract.pages import discover, relative_id
from pipeline.ingest import core
from pipeline.ingest import release as release_data
from pipeline.ingest.chunks import (
    ChunkResult,
    fewer_gc_pauses,
    fingerprint,
    flow_chunks,
    process_chunk,
    vocabularies,
    worker_pool,
)
from pipeline.ingest.core import GraphState, IngestRun, record_cache
from pipeline.ingest.record_cache import RecordCache
from pipeline.ingest.summary import FLOW_STEPS, IngestSummary
from pipeline.load import cypher_files, db, lock, writer
from pipeline.load.params import timestamp
from pipeline.load.retry import RETRY_DELAYS, is_transient
from pipeline.load.rows import ChunkRows
from pipeline.settings import Settings, get_settings

FLOW_NAME = "chickgraph-ingest"
T = TypeVar("T")
# No `from __future__ import annotations` in this module: a served run unpickles `ingest_flow`
# by value (cloudpickle), which keeps only the globals its code uses, so a string annotation
# such as "ProgressCallback | None" could not be resolved when Prefect validates parameters.
ProgressCallback = Callable[[str, int, int], None]

# The task preset of every task that talks to Neo4j or git: a transient error (pipeline/load/
# retry.py: Neo4j gone or busy, a git remote not reached) is retried after 2, 10 and 30 s,
# anything else fails at once; results are never cached (a re-run must look at the graph
# again, not at Prefect's cache).
retried_task = task(retries=len(RETRY_DELAYS), retry_delay_seconds=RETRY_DELAYS,
                    retry_condition_fn=is_transient, cache_policy=NONE)


@retried_task
def fetch_source(name: str) -> tuple[str, str | None]:
    """Clone or pull a named source; returns the pages folder and the commit id."""
    checkout = sources.checkout(get_settings(), name)
    return str(checkout.folder), checkout.commit


@retried_task
def prepare_database(run_id: str, source: str, lock_wait_s: float) -> GraphState:
    """Lock, schema (constraints back every MERGE), vocabularies, then what is loaded."""
    settings = get_settings()
    driver = db.shared_driver(settings)
    lock.acquire(driver, settings, run_id, source, wait_s=lock_wait_s)
    db.apply_schema(driver, settings)
    full_reload = writer.vocabulary_fingerprint(driver, settings) != fingerprint()
    owners = db.run_read(driver, settings, cypher_files.load("load/page_owners"))
    if full_reload:
        writer.write_vocabulary(driver, settings, vocabularies())
        if owners:
            # a graph of an older version may hold (:Site) lists of an older form (no image
            # counts, other ranks): derived anew now, readers get right answers during the
            # reload. Without pages there is nothing to derive them from until the end: on a
            # first load this only made the server plan the statement for an empty graph,
            # then again for a full one (~0.2 s)
            writer.derive_sites(driver, settings)
    return GraphState.from_owners(owners, full_reload, gc_owed=lock.gc_pending(driver, settings))


@task(cache_policy=NONE)  # no retries: parsing is pure, a failure here is a bug
def extract_transform(
    root: str, paths: list[str], known: dict[str, str], max_bytes: int, workers: int,
    cache: RecordCache | None = None,
) -> ChunkResult:
    """Parse, validate and transform one chunk: in the local process pool (uses both cores),
    or right here (`workers` 0) when the task itself runs on a Dask worker process."""
    if workers == 0:
        return process_chunk(root, paths, known, max_bytes, cache)
    return worker_pool(workers).submit(process_chunk, root, paths, known, max_bytes,
                                       cache).result()


class Sealed(Generic[T]):
    """Task input that neither Prefect nor Dask walks (a chunk's rows: ~100k objects).

    Prefect's `quote()` does this on the local runner, but it is a namedtuple, which Dask's
    graph builder turns into a plain tuple; an ordinary object is passed through by both.
    """

    __slots__ = ("value",)

    def __init__(self, value: T) -> None:
        self.value = value


@retried_task
def load_chunk(sealed: Sealed[ChunkRows], run_id: str) -> int:
    """One transaction per chunk, the lock's bookkeeping included: a retry re-writes the whole
    chunk, never half of it."""
    rows = sealed.value
    settings = get_settings()
    writer.write_chunk(db.shared_driver(settings), settings, rows, run_id=run_id)
    return len(rows.paths)


@retried_task
def sync_release_data(
    release_root: str, deleted: list[str], pages_changed: bool, pool_size: int
) -> release_data.ReleaseReport:
    """The release's data files (papers, facets), after the pages: see pipeline/ingest/release.
    Read and planned in the parse pool when there is one (`pool_size` > 0)."""
    settings = get_settings()
    return release_data.sync_release(db.shared_driver(settings), settings, release_root,
                                     sorted(deleted), pages_changed,
                                     worker_pool(pool_size) if pool_size else None)


@retried_task
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
    return core.count_graph(driver, settings, summary)


@retried_task
def enrich(summary: IngestSummary) -> IngestSummary:
    """Re-apply the annotation databases the graph carries (or config lists): this run may
    have created ortholog genes, or re-created ones garbage collection removed. None applied
    and none listed: nothing is read or written."""
    settings = get_settings()
    reports = enrichment.reapply(db.shared_driver(settings), settings)
    return summary.model_copy(update={"enrichment": reports}) if reports else summary


@retried_task
def refresh_statistics() -> None:
    """After a run that changed the graph (its pages or the release data) and left it with
    `ingest.replan_min_nodes` nodes or more (core.worth_replanning): the planner's statistics
    and plans made anew, so the first queries after a load are not planned for the graph
    before it (writer.prepare_for_replanning)."""
    settings = get_settings()
    writer.prepare_for_replanning(db.shared_driver(settings), settings)


@retried_task
def record_run(summary: IngestSummary, started_at: str) -> None:
    """The (:IngestRun) node, then the lock is released."""
    settings = get_settings()
    driver = db.shared_driver(settings)
    core.record_ingest_run(driver, settings, summary, started_at)
    lock.release(driver, settings, summary.run_id)


@contextlib.contextmanager
def _step(steps: dict[str, float], name: str) -> Iterator[None]:
    """Time one step of the flow into `steps` (the summary's `step_seconds`), failed or not.
    Only a step of FLOW_STEPS: the bench's table of steps has a column for each."""
    if name not in FLOW_STEPS:
        raise ValueError(f"flow step {name!r} is not in summary.FLOW_STEPS")
    started = time.perf_counter()
    try:
        yield
    finally:
        steps[name] = round(time.perf_counter() - started, 3)


def _pool_size(settings: Settings) -> int:
    """Only the local thread runner parses in a process pool; on Dask every task already runs
    in a worker process of its own (a daemon, which could not start a pool anyway)."""
    context = FlowRunContext.get()
    local = context is not None and isinstance(context.task_runner, ThreadPoolTaskRunner)
    return settings.ingest.workers if local else 0


def _stream_chunks(run: IngestRun, root: Path, paths: list[str], settings: Settings,
                   progress: ProgressCallback | None) -> None:
    """Parse ahead of the single writer (core.parse_ahead), one transaction per chunk; the
    next chunk is absorbed while the previous one is written (core.write_behind). If a write
    fails, the chunks absorbed but not committed are taken out of the summary's count."""
    workers, max_bytes = settings.ingest.workers, settings.ingest.max_page_bytes
    pool_size = _pool_size(settings)
    if pool_size:
        # made here, before the first parses are submitted: made by the first of them, it kept
        # the others waiting on its lock, and the lock let them on in any order, so the small
        # first chunk (flow_chunks) was queued behind two full ones in 1 of 3 cold loads
        worker_pool(pool_size)
    cache = record_cache(settings)
    uncommitted: deque[ChunkRows] = deque()  # absorbed, in the order they are written
    done = 0

    def parse(chunk: list[str]) -> PrefectFuture[ChunkResult]:
        return extract_transform.submit(str(root), chunk, run.known_hashes(chunk), max_bytes,
                                        pool_size, cache)

    def ready() -> Iterator[tuple[ChunkResult, ChunkRows]]:
        for result in core.parse_ahead(flow_chunks(paths, settings.ingest.chunk_size), parse,
                                       workers):
            rows = run.absorb(result)
            uncommitted.append(rows)
            yield result, rows

    def write(item: tuple[ChunkResult, ChunkRows]) -> PrefectFuture[int] | None:
        rows = item[1]
        if not (rows.paths or rows.delete_paths):
            return None
        return load_chunk.submit(Sealed(rows), run.summary.run_id)

    def written(item: tuple[ChunkResult, ChunkRows]) -> None:
        nonlocal done
        result, rows = item
        uncommitted.popleft()
        done += core.pages_in(result)
        # Prefect's run context keeps every task's inputs and result for the whole run:
        # empty the big ones once written, or memory grows with the corpus (3x at 25x).
        result.pages.clear()
        result.unchanged.clear()
        for statement_rows in rows.rows.values():
            statement_rows.clear()
        if progress is not None:
            progress("pages", done, len(paths))

    with fewer_gc_pauses():
        try:
            core.write_behind(ready(), write, written)
        except BaseException:
            for rows in uncommitted:
                run.retract(rows)
            raise


def local_threads(workers: int) -> TaskRunner[Any]:
    """The default runner: a thread for each parse in flight (`workers` + 1 of them, each
    waiting on the process pool that does the parsing: `extract_transform`) and one for the
    writer, so the window of core.parse_ahead never waits for a thread."""
    return ThreadPoolTaskRunner(max_workers=workers + 2)


class ConfiguredTaskRunner(ThreadPoolTaskRunner):  # type: ignore[type-arg]
    """The decorator's runner: a placeholder that becomes the runner of the settings
    (`task_runner`) when a run starts. Prefect calls `duplicate()` once per flow run, so
    settings are read at call time, never at import, and every caller (a command, the
    subprocess of a served or work-pool deployment, a test) gets the configured runner."""

    def __init__(self) -> None:
        super().__init__(max_workers=4)  # never runs a task: replaced by `duplicate()`

    def duplicate(self) -> Any:
        return task_runner(get_settings())


def task_runner(settings: Settings) -> TaskRunner[Any]:
    """The flow's task runner from config: local threads (+ process pool), or Dask.

    `ingest.task_runner: dask` runs every task on a Dask cluster: the one at
    `ingest.dask.address`, or a temporary local cluster of `ingest.workers` single-threaded
    processes (parsing is pure Python: one thread per process uses a core each).
    """
    if settings.ingest.task_runner == "threads":
        return local_threads(settings.ingest.workers)
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


@flow(name=FLOW_NAME, log_prints=False, task_runner=ConfiguredTaskRunner())
def ingest_flow(
    source: str | None = None, source_name: str | None = None, strict: bool = False,
    lock_wait_s: float = 0, progress: ProgressCallback | None = None,
) -> IngestSummary:
    """Load (sync) a folder or named source of gene pages into Neo4j.

    Unchanged pages are skipped by hash, removed pages deleted, bad pages reported (they keep
    their previous data unless `strict`, which fails the run). `progress(stage, done, total)`
    is called after each chunk (the CLI's progress bar; the flow draws nothing itself).
    """
    settings = get_settings()
    started, started_at = time.perf_counter(), timestamp()
    commit = None
    if source is None:
        source, commit = fetch_source(source_name or sources.DEFAULT)
    layout = release.locate(Path(source))  # a release root, a corpus folder or bare pages
    root = layout.pages
    paths = [relative_id(root, p) for p in discover(root)]
    if not paths:  # a wrong folder, not a release that removed every page
        raise SourceError(f"{root}: no pages (*.md) in this folder or below it; a sync to it "
                          "would delete every page of the graph")
    run_id = str(uuid.uuid4())
    steps: dict[str, float] = {}
    with _step(steps, "prepare"):
        state = prepare_database(run_id, str(layout.root), lock_wait_s)
    run = IngestRun(IngestSummary(run_id=run_id, source=str(layout.root), commit=commit,
                                  pages_seen=len(paths), full_reload=state.full_reload), state)
    try:
        seen = set(paths)
        run.to_delete |= {p for p in state.key_of_page if p not in seen}
        with _step(steps, "pages"):
            _stream_chunks(run, root, paths, settings, progress)
        run.summary.pages_deleted = len([p for p in run.to_delete if p not in seen])
        changed = bool(run.summary.pages_loaded or run.to_delete or run.displaced
                       or state.full_reload or state.gc_owed)
        with _step(steps, "release"):
            release_data.add_to_summary(run.summary, sync_release_data(
                str(layout.root), sorted(run.to_delete), changed, _pool_size(settings)))
        with _step(steps, "finish"):
            summary = finish(sorted(run.to_delete), quote(run.summary), state.gc_owed)
        with _step(steps, "enrich"):
            summary = enrich(quote(summary))
        if (changed or summary.data_written) and core.worth_replanning(
                summary, settings.ingest.replan_min_nodes):
            with _step(steps, "statistics"):
                refresh_statistics()
        if strict and summary.pages_failed:
            summary.status = "failed"
    except BaseException:
        run.summary.status = "failed"
        run.summary.seconds = round(time.perf_counter() - started, 3)
        run.summary.step_seconds = steps
        record_run(quote(run.summary), started_at, return_state=True)  # best effort
        raise
    summary.seconds = round(time.perf_counter() - started, 3)
    summary.step_seconds = steps
    record_run(quote(summary), started_at)
    create_markdown_artifact(markdown=summary.markdown(), key="chickgraph-ingest-summary",
                             description=f"ChickGraph ingest of {root}")
    if summary.status == "failed":
        first = summary.errors[0]
        raise StrictModeFailure(
            f"--strict: {summary.pages_failed} page(s) failed validation; first: "
            f"{first.file}: {first.field}: {first.message}", summary)
    return summary
