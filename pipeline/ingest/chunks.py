"""Extract + transform for a chunk of pages, run in worker processes to use every core.

Unchanged pages (same SHA-256 as committed in the graph) are hashed but never parsed, so a
re-run over an unchanged corpus costs one read of each file.
"""

from __future__ import annotations

import gc
import hashlib
import marshal
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.extract.pages import PageIssue, RawPage, raw_page, read_page
from pipeline.load.rows import PageRows, page_rows
from pipeline.resources import config_file
from pipeline.transform.records import Vocabularies, transform
from pipeline.transform.vocab.anatomy import load_anatomy
from pipeline.transform.vocab.stages import load_stage_table

STAGES_YAML = config_file("stages.yaml")
ANATOMY_YAML = config_file("anatomy.yaml")


@dataclass
class ChunkResult:
    pages: list[PageRows] = field(default_factory=list)  # rows ready for Cypher, per page
    issues: list[PageIssue] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled (back from a worker process) with the rows as one `marshal` blob: rows are
        plain dicts, lists, text and numbers, which marshal writes and reads in C ~3x faster
        than pickle (whose memo and per-object dispatch cost the parent ~0.1 ms a page)."""
        return _unpack_result, (_pack_pages(self.pages), self.issues, self.unchanged,
                                self.failed)


_MARSHAL_VERSION = 4  # shared and interned objects kept; parent and worker run one Python


def _pack_pages(pages: list[PageRows]) -> tuple[bytes, dict[int, PageRows]]:
    """(marshal of each page's (path, gene key, rows), pages marshal cannot write (a `date`
    property: left to pickle) by position). Values are neither converted nor tagged."""
    try:
        return marshal.dumps([(p.path, p.gene_key, p.rows) for p in pages],
                             _MARSHAL_VERSION), {}
    except ValueError:  # an object marshal does not know (dt.date): those pages go as pickle
        pass
    plain: list[tuple[str, str, dict[str, Any]] | None] = []
    odd: dict[int, PageRows] = {}
    for index, page in enumerate(pages):
        try:
            marshal.dumps(page.rows, _MARSHAL_VERSION)
        except ValueError:
            odd[index] = page
            plain.append(None)
        else:
            plain.append((page.path, page.gene_key, page.rows))
    return marshal.dumps(plain, _MARSHAL_VERSION), odd


def _unpack_result(packed: tuple[bytes, dict[int, PageRows]], issues: list[PageIssue],
                   unchanged: list[str], failed: list[str]) -> ChunkResult:
    blob, odd = packed
    pages = [odd[index] if entry is None else PageRows(*entry)
             for index, entry in enumerate(marshal.loads(blob))]
    return ChunkResult(pages, issues, unchanged, failed)


TRANSFORM_VERSION = "3"  # bump when a change to transform alters what pages produce
# (3: EXPRESSED_IN edges carry `site`; a graph loaded before it is re-loaded page by page)


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
    root: str, paths: Sequence[str], known_hashes: dict[str, str], max_bytes: int
) -> ChunkResult:
    """Read, hash, and (when changed) validate and transform each page of the chunk."""
    vocab = vocabularies()
    base = Path(root)
    result = ChunkResult()
    # Building ~100k small records trips the cyclic GC hundreds of times for nothing (they
    # hold no cycles): pause it for the chunk. ~25% of transform time here.
    paused = gc.isenabled()
    gc.disable()
    try:
        _process_into(result, base, paths, known_hashes, max_bytes, vocab)
    finally:
        if paused:
            gc.enable()
    return result


def _process_into(result: ChunkResult, base: Path, paths: Sequence[str],
                  known_hashes: dict[str, str], max_bytes: int, vocab: Vocabularies) -> None:
    for rel in paths:
        raw = _read_if_changed(base, rel, known_hashes.get(rel), max_bytes)
        if raw is None:
            result.unchanged.append(rel)
            continue
        if isinstance(raw, PageIssue):
            result.issues.append(raw)
            result.failed.append(rel)
            continue
        outcome = transform(raw, vocab)
        if isinstance(outcome, PageIssue):
            result.issues.append(outcome)
            result.failed.append(rel)
            continue
        result.pages.append(page_rows(outcome))
        result.issues.extend(outcome.warnings)


def _read_if_changed(
    root: Path, rel: str, known: str | None, max_bytes: int
) -> RawPage | PageIssue | None:
    """None when the page's hash equals the committed one: nothing to parse or write."""
    path = root / rel
    if known is None:
        return read_page(root, path, max_bytes, rel)
    try:
        if path.is_symlink() or path.stat().st_size > max_bytes:
            return read_page(root, path, max_bytes, rel)
        data = path.read_bytes()
    except OSError:
        return read_page(root, path, max_bytes, rel)
    digest = hashlib.sha256(data).hexdigest()
    if digest == known:
        return None
    return raw_page(rel, data, digest)


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


_POOL: dict[int, Executor] = {}


def worker_pool(workers: int) -> Executor:
    """One process pool per process and size, reused by every chunk task of a run."""
    if workers not in _POOL:
        _POOL[workers] = ProcessPoolExecutor(max_workers=workers)
    return _POOL[workers]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))
