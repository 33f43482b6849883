"""Extract + transform for a chunk of pages, run in worker processes to use every core.

Unchanged pages (same SHA-256 as committed in the graph) are hashed but never parsed, so a
re-run over an unchanged corpus costs one read of each file.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import multiprocessing
import pickle
import stat
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.extract.pages import PageIssue, raw_page, read_page_bytes
from pipeline.ingest.record_cache import RecordCache
from pipeline.load.rows import PageRows, page_rows
from pipeline.resources import config_file
from pipeline.transform.records import Vocabularies, transform
from pipeline.transform.vocab.anatomy import load_anatomy
from pipeline.transform.vocab.stages import load_stage_table

STAGES_YAML = config_file("stages.yaml")
ANATOMY_YAML = config_file("anatomy.yaml")


@dataclass
class ChunkResult:
    # rows ready for Cypher, per page: PageRows, or still encoded (`encode_page`) when they
    # came from the record cache or back from a worker process; `pages` decodes them
    entries: list[PageRows | bytes] = field(default_factory=list)
    issues: list[PageIssue] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    @property
    def pages(self) -> list[PageRows]:
        """Every page's rows, decoded in place on first use (in the process that writes)."""
        entries = self.entries
        for index, entry in enumerate(entries):
            if isinstance(entry, bytes):
                entries[index] = decode_page(entry)
        return entries  # type: ignore[return-value]  # all PageRows now

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (back from a worker process) with each page's rows as one `marshal` blob:
        rows are plain dicts, lists, text and numbers, which marshal writes and reads in C
        ~3x faster than pickle (whose memo and per-object dispatch cost the parent ~0.1 ms a
        page). A page from the record cache is sent as read, never decoded in the worker."""
        encoded = [e if isinstance(e, bytes) else encode_page(e) for e in self.entries]
        return ChunkResult, (encoded, self.issues, self.unchanged, self.failed)


_MARSHAL_VERSION = 4  # shared and interned objects kept; parent and worker run one Python


def encode_page(page: PageRows) -> bytes:
    """One page's rows as bytes: marshal, or pickle for what marshal cannot write (a `date`
    property); the first byte says which."""
    try:
        return b"m" + marshal.dumps((page.path, page.gene_key, page.rows), _MARSHAL_VERSION)
    except ValueError:
        return b"p" + pickle.dumps(page, pickle.HIGHEST_PROTOCOL)


def decode_page(blob: bytes) -> PageRows:
    body = memoryview(blob)[1:]
    if blob[:1] == b"m":
        return PageRows(*marshal.loads(body))
    page = pickle.loads(body)
    if not isinstance(page, PageRows):
        raise TypeError(f"not an encoded page: {type(page).__name__}")
    return page


TRANSFORM_VERSION = "7"  # bump when a change to transform alters what pages produce
# (3: EXPRESSED_IN edges carry `site`; a graph loaded before it is re-loaded page by page;
# 4: (:Site) nodes derived after the pages: re-loading the pages of a graph loaded before
# runs the derivation, which a run that changes no page skips; 6: (:Site) nodes carry the
# totals and stage ordinal stage-atlas reads: the full reload derives them before its first
# chunk, so stage-atlas answers on a graph loaded before from then on; 7: (:Site) nodes list
# the entries of OMIM-linked genes apart, what phenotype-orthologs sums by default, derived
# by the same full reload)


def fingerprint() -> str:
    """Vocabularies + transform version: when it changes, every page is re-loaded."""
    digest = hashlib.sha256(TRANSFORM_VERSION.encode())
    for path in (STAGES_YAML, ANATOMY_YAML):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def vocabularies() -> Vocabularies:
    """Loaded once per process (worker processes load their own copy)."""
    return Vocabularies(stages=load_stage_table(), anatomy=load_anatomy())


def process_chunk(
    root: str, paths: Sequence[str], known_hashes: dict[str, str], max_bytes: int,
    cache: RecordCache | None = None,
) -> ChunkResult:
    """Read and hash each page of the chunk; a changed page's rows come from the record
    cache when it holds them, else from validating and transforming it (then kept there).

    In a worker process (a pool's or Dask's) each page's rows are encoded as soon as they
    are built, since the result is pickled back to the caller anyway: encoded later, at
    pickling time with the GC back on, the chunk's ~50k fresh containers were still alive
    and the collector walked them over and over (+0.25 s of worker CPU over the corpus,
    ~12% of it). In the caller's own process the rows stay decoded."""
    vocab = vocabularies()
    base = Path(root)
    result = ChunkResult()
    # Building ~100k small records trips the cyclic GC hundreds of times for nothing (they
    # hold no cycles): pause it for the chunk. ~25% of transform time here.
    paused = gc.isenabled()
    gc.disable()
    try:
        _process_into(result, base, paths, known_hashes, max_bytes, vocab, cache,
                      multiprocessing.parent_process() is not None)
    finally:
        if paused:
            gc.enable()
        if cache is not None:
            cache.flush()  # the chunk's new entries, one transaction
    return result


def _process_into(result: ChunkResult, base: Path, paths: Sequence[str],
                  known_hashes: dict[str, str], max_bytes: int, vocab: Vocabularies,
                  cache: RecordCache | None, encode: bool) -> None:
    for rel in paths:
        read = _read_if_changed(base, rel, known_hashes.get(rel), max_bytes)
        if read is None:
            result.unchanged.append(rel)
            continue
        if isinstance(read, PageIssue):
            result.issues.append(read)
            result.failed.append(rel)
            continue
        data, digest = read
        cached = cache.get(rel, digest) if cache is not None else None
        if cached is not None:
            result.entries.append(cached.encoded)
            result.issues.extend(cached.warnings)
            continue
        raw = raw_page(rel, data, digest)
        outcome = raw if isinstance(raw, PageIssue) else transform(raw, vocab)
        if isinstance(outcome, PageIssue):
            result.issues.append(outcome)
            result.failed.append(rel)
            continue
        rows = page_rows(outcome)
        if cache is None:
            result.entries.append(encode_page(rows) if encode else rows)
        else:
            encoded = encode_page(rows)
            cache.put(rel, digest, outcome.warnings, encoded)
            result.entries.append(encoded)
        result.issues.extend(outcome.warnings)


def _read_if_changed(
    root: Path, rel: str, known: str | None, max_bytes: int
) -> tuple[bytes, str] | PageIssue | None:
    """(bytes, SHA-256) of the page; None when the hash equals the committed one (nothing to
    parse or write)."""
    path = root / rel
    data: bytes | PageIssue
    try:
        # the common case, a plain file under the limit, in two system calls; anything else
        # is read_page_bytes' to judge (symlinks, size, permissions), with its messages
        info = path.lstat()
        plain = stat.S_ISREG(info.st_mode) and info.st_size <= max_bytes
        data = path.read_bytes() if plain else read_page_bytes(root, path, max_bytes, rel)
    except OSError:
        data = read_page_bytes(root, path, max_bytes, rel)
    if isinstance(data, bytes) and len(data) > max_bytes:  # grew since lstat
        data = read_page_bytes(root, path, max_bytes, rel)
    if isinstance(data, PageIssue):
        return data
    digest = hashlib.sha256(data).hexdigest()
    if digest == known:
        return None
    return data, digest


@contextmanager
def fewer_gc_pauses() -> Iterator[None]:
    """The writer unpickles ~100k small dicts per chunk; the cyclic GC would scan the whole
    heap over and over for them (they hold no cycles). Freeze what exists, collect less."""
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


def chunked(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


def flow_chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    """The flow's chunks: `size` pages each, but the first a quarter of that. Nothing can be
    written before the first chunk is parsed, and a quarter of a chunk is parsed in a quarter
    of the time; while it is written, the workers parse the next full ones, so the writer
    never waits again. At 200 pages a chunk the first write started 0.46 s after the flow
    did, and the first parse was 0.16-0.22 s of that."""
    first = max(1, size // 4)
    yield from chunked(items[:first], first)
    yield from chunked(items[first:], size)


_POOL: dict[int, Executor] = {}
_POOL_LOCK = threading.Lock()


def worker_pool(workers: int) -> Executor:
    """One process pool per process and size, reused by every chunk task of a run. The flow's
    first parse tasks ask for it at the same moment from the task runner's threads: without
    the lock each could make a pool of its own (a cold load forked 4 workers, not 2, and left
    the extra ones idle until the command ended)."""
    with _POOL_LOCK:
        if workers not in _POOL:
            _POOL[workers] = ProcessPoolExecutor(max_workers=workers)
        return _POOL[workers]
