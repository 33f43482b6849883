"""The ingest core both writers share: the Prefect flow (transactions) and the bulk floor
(bench/bulk.py: CSV + `neo4j-admin database import`; a benchmark, as it measured slower).
Prefect-free, and pure except for the two functions at the end that read the counts and
write the (:IngestRun) node.

What lives here is everything the two writers must agree on, so that they cannot drift:

- which page owns a gene key when two pages describe one gene (`IngestRun.absorb`),
- how far parsing may run ahead of the single writer (`parse_ahead`), and how the next chunk
  is made ready while the previous one is written (`write_behind`),
- what the summary says about the graph (`with_counts`) and what the run node records
  (`ingest_run_props`), and whether the graph it describes is big enough to replan for
  (`worth_replanning`).

How a chunk's rows reach Neo4j is the writer's business, not this module's.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from neo4j import Driver

from pipeline.ingest.chunks import ChunkResult, fingerprint
from pipeline.ingest.record_cache import RecordCache
from pipeline.ingest.summary import IngestSummary, PageError
from pipeline.load import cypher_files, db
from pipeline.load.params import timestamp
from pipeline.load.rows import ChunkRows, PageRows, merge_rows
from pipeline.settings import Settings

X = TypeVar("X")
R_co = TypeVar("R_co", covariant=True)
R = TypeVar("R")


class Pending(Protocol[R_co]):
    """A submitted piece of work: a `concurrent.futures.Future` or a Prefect future."""

    def result(self) -> R_co: ...


def parse_ahead(items: Iterable[X], submit: Callable[[X], Pending[R]], ahead: int
                ) -> Iterator[R]:
    """Results of `submit(item)` in input order, with at most `ahead + 1` items in flight.

    The window keeps both cores parsing while the single writer works, and bounds memory:
    parsed chunks never pile up faster than they are written. The next item is submitted
    only after the caller has handled the previous result, so a caller may use what it
    learnt from chunk k (e.g. claimed gene keys) when chunk k + ahead + 1 is submitted.
    """
    window: deque[Pending[R]] = deque()
    for item in items:
        window.append(submit(item))
        if len(window) > ahead:
            yield window.popleft().result()
    while window:
        yield window.popleft().result()


def write_behind(chunks: Iterable[X], write: Callable[[X], Pending[object] | None],
                 written: Callable[[X], None]) -> None:
    """`write(chunk)` for each chunk in order, fetching the next chunk while one is written.

    Taking a chunk from `chunks` (waiting for its parse, absorbing it) is Python work the
    database need not wait for: done between two writes, it left the server idle 40-100 ms
    a chunk. Still one write at a time: chunk k + 1's write is submitted only once chunk k's
    has returned (`written(chunk)` runs then), so a failed write raises before anything after
    it is written. `write` returns None for a chunk with nothing to write. If fetching a chunk
    fails, the write in flight is still waited for (and `written` called if it committed)
    before the error goes on: nothing is left writing behind the caller's back.
    """
    in_flight: tuple[X, Pending[object] | None] | None = None
    try:
        for chunk in chunks:
            if in_flight is not None:
                previous, in_flight = in_flight, None
                _settle(*previous, written)
            in_flight = (chunk, write(chunk))
    except BaseException:
        if in_flight is not None:
            with suppress(Exception):  # the first error is the one to report
                _settle(*in_flight, written)
        raise
    if in_flight is not None:
        _settle(*in_flight, written)


def _settle(chunk: X, pending: Pending[object] | None, written: Callable[[X], None]) -> None:
    if pending is not None:
        pending.result()
    written(chunk)


@dataclass
class GraphState:
    """What the graph already holds: committed page hashes and which page owns which gene.

    Empty for a first load (`GraphState.empty()`), read from the database otherwise."""

    hashes: dict[str, str]
    owner_of_key: dict[str, str]
    key_of_page: dict[str, str]
    full_reload: bool
    gc_owed: bool = False  # an earlier run died after writing, before collecting garbage

    @classmethod
    def empty(cls) -> GraphState:
        return cls(hashes={}, owner_of_key={}, key_of_page={}, full_reload=True)

    @classmethod
    def from_owners(cls, owners: Iterable[Mapping[str, Any]], full_reload: bool,
                    gc_owed: bool = False) -> GraphState:
        """From `load/page_owners` rows (path, gene_key, sha256). A full reload forgets the
        hashes, so every page is parsed again, but keeps the owners (they are in the graph)."""
        rows = list(owners)
        return cls(
            hashes={} if full_reload else {r["path"]: r["sha256"] for r in rows},
            owner_of_key={r["gene_key"]: r["path"] for r in rows},
            key_of_page={r["path"]: r["gene_key"] for r in rows},
            full_reload=full_reload, gc_owed=gc_owed)


@dataclass
class IngestRun:
    """One run's bookkeeping: the summary and who owns which gene key so far."""

    summary: IngestSummary
    state: GraphState
    to_delete: set[str] = field(default_factory=set)
    # pages that lost their gene to a smaller path this run (already reported and counted)
    displaced: set[str] = field(default_factory=set)

    def known_hashes(self, paths: Iterable[str]) -> dict[str, str]:
        """The committed hashes of `paths` (pages whose hash matches are not parsed)."""
        hashes = self.state.hashes
        return {p: hashes[p] for p in paths if p in hashes}

    def _lose(self, path: str, message: str) -> None:
        self.summary.errors.append(PageError(file=path, field="gene_id", message=message))
        self.summary.pages_failed += 1
        self.displaced.add(path)

    def claim_keys(self, pages: Iterable[PageRows]) -> tuple[list[PageRows], list[str]]:
        """Two pages describing one gene: the smaller path wins, deterministically; reported.
        A graph page that left the source (`to_delete`) holds its gene for nobody: a renamed
        or moved page takes it over whatever the paths, with no report.

        Returns the pages to write and the graph pages to delete in the same transaction: a
        page that held the gene in the graph and now loses it (to a smaller path, or because
        it left the source).
        """
        accepted: list[PageRows] = []
        displace: list[str] = []
        owners, keys = self.state.owner_of_key, self.state.key_of_page
        for rec in pages:
            if rec.path in self.displaced:
                continue  # lost earlier in this run; reported then
            old_key = keys.pop(rec.path, None)
            if old_key is not None and owners.get(old_key) == rec.path:
                del owners[old_key]
            holder = owners.get(rec.gene_key)
            if holder is not None and holder != rec.path:
                # a holder that left the source (renamed, moved to another folder) is no rival:
                # this page takes the gene over and the old one goes in the same transaction,
                # counted as deleted, not as a conflict
                rival = holder not in self.to_delete
                if rival and holder < rec.path:
                    self._lose(rec.path,
                               f"{rec.gene_key} is already described by {holder}; page skipped")
                    if old_key is not None:
                        displace.append(rec.path)
                    continue
                if rival:
                    self._lose(holder, f"{rec.gene_key} is also described by {rec.path}, which "
                                       "wins; page removed")
                displace.append(holder)
                keys.pop(holder, None)
            owners[rec.gene_key] = rec.path
            keys[rec.path] = rec.gene_key
            accepted.append(rec)
        return accepted, displace

    def absorb(self, result: ChunkResult) -> ChunkRows:
        """Count one parsed chunk into the summary; the rows its writer must write."""
        summary = self.summary
        summary.errors.extend(PageError(**issue.as_dict()) for issue in result.issues)
        accepted, displace = self.claim_keys(result.pages)  # first: may displace pages below
        summary.pages_unchanged += len([p for p in result.unchanged if p not in self.displaced])
        summary.pages_failed += len(result.failed)
        summary.pages_loaded += len(accepted)
        return merge_rows(accepted, delete_paths=displace)

    def retract(self, rows: ChunkRows) -> None:
        """A chunk absorbed but never committed (its write, or an earlier one, failed): its
        pages are not counted as loaded."""
        self.summary.pages_loaded -= len(rows.paths)


def pages_in(result: ChunkResult) -> int:
    """How many pages a chunk covered (for progress): loaded, unchanged or failed."""
    return len(result.unchanged) + len(result.failed) + len(result.entries)


def record_cache(settings: Settings) -> RecordCache | None:
    """The run's record cache (`ingest.record_cache`), None when off or not writable."""
    base = settings.ingest.record_cache
    return None if base is None else RecordCache.open(base, fingerprint())


def with_counts(summary: IngestSummary, node_rows: Iterable[Mapping[str, Any]],
                rel_rows: Iterable[Mapping[str, Any]]) -> IngestSummary:
    """The summary with the graph's counts from `stats/node_counts` and
    `stats/relationship_counts` rows; run nodes are bookkeeping, not graph content."""
    return summary.model_copy(update={
        "nodes": {r["label"]: r["count"] for r in node_rows if r["label"] != "IngestRun"},
        "relationships": {r["type"]: r["count"] for r in rel_rows},
    })


def ingest_run_props(summary: IngestSummary, started_at: str, finished_at: str,
                     **extra: str) -> dict[str, Any]:
    """The (:IngestRun) node's properties: the summary's scalars, timestamps, error count.

    Lists and maps (errors, counts) stay out: Neo4j cannot store maps as properties, and
    the errors are in the artifact and `--json`."""
    props: dict[str, Any] = {
        k: v for k, v in summary.model_dump().items()
        if isinstance(v, str | int | float | bool) and v is not None
    }
    return props | {"started_at": started_at, "finished_at": finished_at,
                    "errors": len(summary.errors)} | extra


def worth_replanning(summary: IngestSummary, min_nodes: int) -> bool:
    """Whether a run that changed the graph should end by resampling every index and clearing
    Neo4j's plan caches (flows.refresh_statistics), judged by the nodes the graph holds after it
    (`summary` with counts). Stale plans are what the replanning prevents, and they cost in
    proportion to the graph: on the corpus (79k nodes) a plan made on the empty graph's samples
    read 1.9M db hits against 10k. Below `min_nodes` every plan is cheap, while the cleared
    caches made the next run plan each of its ~50 statements again (~55 ms each here: 2.7 s of
    a 3.0 s run of three pages, 0.4 s with its plans cached). A run that leaves a small graph
    big replans at its end; plans cached for a big graph that a run left small stay cheap."""
    return sum(summary.nodes.values()) >= min_nodes


# --------------------------------------------------------------------------- Neo4j


def count_graph(driver: Driver, settings: Settings, summary: IngestSummary) -> IngestSummary:
    """`with_counts` from the database (count store: constant time)."""
    nodes = db.run_read(driver, settings, cypher_files.load("stats/node_counts"))
    rels = db.run_read(driver, settings, cypher_files.load("stats/relationship_counts"))
    return with_counts(summary, nodes, rels)


def record_ingest_run(driver: Driver, settings: Settings, summary: IngestSummary,
                      started_at: str, **extra: str) -> None:
    """Write the (:IngestRun) node (MERGE on run_id: a retry rewrites the same node)."""
    props = ingest_run_props(summary, started_at, timestamp(), **extra)
    db.run_write(driver, settings, cypher_files.load("load/ingest_run"), {"props": props})
