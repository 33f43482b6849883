"""The record cache (pipeline/ingest/record_cache.py) only saves time: a chunk processed with
it, cold or warm, gives exactly what it gives without it, on fixtures and on every page of
both releases; hits are not parsed again; anything unreadable is a miss."""

from __future__ import annotations

import datetime as dt
import hashlib
import pickle
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from pipeline.extract.pages import discover, relative_id
from pipeline.ingest import chunks, record_cache
from pipeline.ingest.chunks import ChunkResult, decode_page, encode_page, process_chunk
from pipeline.ingest.record_cache import RecordCache
from pipeline.load.rows import PageRows
from tests.conftest import CURRENT, FIXTURES, PREVIOUS, needs_corpus

MAX = 10_000_000


def _paths(root: Path) -> list[str]:
    return [relative_id(root, p) for p in discover(root)]


def _same(first: ChunkResult, second: ChunkResult) -> None:
    assert repr(first.pages) == repr(second.pages)
    assert first.issues == second.issues
    assert (first.unchanged, first.failed) == (second.unchanged, second.failed)


def _cache(tmp_path: Path) -> RecordCache:
    cache = RecordCache.open(tmp_path / "records", chunks.fingerprint())
    assert cache is not None
    return cache


def _copy_pages(tmp_path: Path, *folders: Path) -> Path:
    """Fixture pages, good and bad, in one folder of the test's own."""
    root = tmp_path / "pages"
    root.mkdir()
    for folder in folders:
        for page in discover(folder):
            shutil.copy(page, root / page.name)
    return root


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """Good pages, bad ones, and one loaded with a warning (kept with its entry)."""
    root = _copy_pages(tmp_path, FIXTURES / "pages", FIXTURES / "bad")
    (root / "DODO.md").write_text("---\nsymbol: DODO\nspecies: Raphus cucullatus\n---\n",
                                  encoding="utf-8")
    return root


def test_cold_and_warm_passes_give_what_no_cache_gives(tmp_path: Path, pages: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    paths = _paths(pages)
    plain = process_chunk(str(pages), paths, {}, MAX)
    assert plain.pages and plain.failed and any(i.severity == "warning" for i in plain.issues)
    cache = _cache(tmp_path)
    cold = process_chunk(str(pages), paths, {}, MAX, cache)
    _same(cold, plain)
    assert cache.entries() == len(plain.pages)  # loaded pages only: failures are re-reported

    def no_parsing(*args: object) -> None:
        raise AssertionError("a cached page was parsed again")

    monkeypatch.setattr(chunks, "transform", no_parsing)
    failing = set(plain.failed)
    warm = process_chunk(str(pages), [p for p in paths if p not in failing], {}, MAX, cache)
    assert all(isinstance(entry, bytes) for entry in warm.entries)  # sent on as read
    assert repr(warm.pages) == repr(plain.pages)
    assert warm.issues == [i for i in plain.issues if i.file not in failing]
    back = pickle.loads(pickle.dumps(warm))  # as it comes back from a worker
    assert repr(back.pages) == repr(plain.pages)


def test_unchanged_pages_are_skipped_before_the_cache(tmp_path: Path, pages: Path) -> None:
    paths = _paths(pages)
    cache = _cache(tmp_path)
    first = process_chunk(str(pages), paths, {}, MAX, cache)
    known = {p.path: hashlib.sha256((pages / p.path).read_bytes()).hexdigest()
             for p in first.pages}
    again = process_chunk(str(pages), paths, known, MAX, cache)
    assert sorted(again.unchanged) == sorted(known) and not again.entries


def test_changed_bytes_or_a_new_path_are_misses(tmp_path: Path) -> None:
    root = _copy_pages(tmp_path, FIXTURES / "pages")
    cache = _cache(tmp_path)
    process_chunk(str(root), _paths(root), {}, MAX, cache)
    page = root / "ORTHO.md"
    text = page.read_text(encoding="utf-8")
    assert "symbol: ORTHO" in text
    page.write_text(text.replace("symbol: ORTHO", "symbol: ORTHO9"), encoding="utf-8")
    (root / "RENAMED.md").write_text(text, encoding="utf-8")
    warm = process_chunk(str(root), ["ORTHO.md", "RENAMED.md"], {}, MAX, cache)
    plain = process_chunk(str(root), ["ORTHO.md", "RENAMED.md"], {}, MAX)
    _same(warm, plain)
    assert [p.path for p in warm.pages] == ["ORTHO.md", "RENAMED.md"]
    assert "ORTHO9" in repr(warm.pages[0].rows["genes"])


def test_a_damaged_entry_is_a_miss_and_is_replaced(tmp_path: Path, pages: Path) -> None:
    paths = _paths(pages)
    cache = _cache(tmp_path)
    plain = process_chunk(str(pages), paths, {}, MAX, cache)
    with sqlite3.connect(cache.database) as connection:
        connection.execute("UPDATE page SET warnings = x'fb00'")
    again = process_chunk(str(pages), paths, {}, MAX, cache)
    _same(again, plain)
    third = process_chunk(str(pages), paths, {}, MAX, cache)  # replaced: hits again
    assert all(isinstance(entry, bytes) for entry in third.entries)
    _same(third, plain)


@pytest.mark.parametrize("damage", [b"", b"garbage" * 1000, "truncate"])
def test_a_damaged_database_is_replaced_when_a_run_opens_it(tmp_path: Path, pages: Path,
                                                             damage: bytes | str) -> None:
    paths = _paths(pages)
    cache = _cache(tmp_path)
    plain = process_chunk(str(pages), paths, {}, MAX, cache)
    record_cache._forget(cache.database)
    for path in cache.database.parent.glob(cache.database.name + "-*"):
        path.unlink()  # the WAL, as after a checkpoint
    blob = cache.database.read_bytes()
    cache.database.write_bytes(blob[: len(blob) // 3] if damage == "truncate" else damage)
    _same(process_chunk(str(pages), paths, {}, MAX, cache), plain)  # misses, no error
    reopened = _cache(tmp_path)
    _same(process_chunk(str(pages), paths, {}, MAX, reopened), plain)
    assert reopened.entries() == len(plain.pages)


def test_entries_are_per_path(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.put("A.md", "d" * 64, [], b"m")
    cache.flush()
    assert cache.get("A.md", "d" * 64) is not None
    assert cache.get("B.md", "d" * 64) is None
    assert cache.get("A.md", "e" * 64) is None


def test_pending_entries_stay_in_their_process(tmp_path: Path) -> None:
    cache = _cache(tmp_path)
    cache.put("A.md", "d" * 64, [], b"m")
    copy = pickle.loads(pickle.dumps(cache))
    assert copy == cache and copy._pending == [] and len(cache._pending) == 1


def test_a_namespace_per_code_and_vocabulary_and_old_ones_removed(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch
                                                                  ) -> None:
    base = tmp_path / "records"
    first = RecordCache.open(base, "vocab-1")
    assert first is not None
    first.put("A.md", "d" * 64, [], b"m")
    first.flush()
    assert RecordCache.open(base, "vocab-1") == first and first.entries() == 1
    second = RecordCache.open(base, "vocab-2")  # vocabularies changed: a new namespace
    assert second is not None and second != first and not first.database.exists()
    monkeypatch.setattr(record_cache, "code_digest", lambda: "other code")
    third = RecordCache.open(base, "vocab-2")  # a module of the package changed
    assert third is not None and third != second and not second.database.exists()
    assert [p.name for p in base.iterdir() if not p.name.endswith(("-wal", "-shm"))] == [
        third.database.name]
    record_cache.clear(base)
    assert not base.exists()
    record_cache.clear(base)


def test_nothing_but_its_own_files_is_removed(tmp_path: Path) -> None:
    """Whatever folder the config names (even one holding other state), only the cache's
    own databases go."""
    base = tmp_path / "state"
    (base / "neo4j").mkdir(parents=True)
    keep = [base / "password", base / "neo4j" / "data", base / "notes.sqlite",
            base / ("0" * 23 + ".sqlite")]
    for path in keep:
        path.write_text("keep")
    first = RecordCache.open(base, "vocab-1")
    second = RecordCache.open(base, "vocab-2")
    assert first is not None and second is not None and not first.database.exists()
    assert all(path.read_text() == "keep" for path in keep)
    record_cache.clear(base)
    assert not second.database.exists() and all(path.exists() for path in keep)


def test_the_code_digest_covers_every_module() -> None:
    package = Path(record_cache.__file__).resolve().parents[1]
    assert len(record_cache.code_digest()) == 64
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py")}
    assert {"transform/records.py", "load/rows.py", "extract/pages.py",
            "ingest/chunks.py"} <= modules


def test_no_cache_where_its_folder_cannot_be(tmp_path: Path, pages: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert RecordCache.open(blocker / "records", "f") is None
    cache = _cache(tmp_path)
    record_cache.clear(cache.database.parent)  # removed under a running load
    result = process_chunk(str(pages), _paths(pages), {}, MAX, cache)
    _same(result, process_chunk(str(pages), _paths(pages), {}, MAX))


def test_pages_marshal_cannot_write_go_through_pickle(tmp_path: Path) -> None:
    page = PageRows("x.md", "gene:1", {"genes": [{"props": {"date": dt.date(2024, 5, 1)}}]})
    encoded = encode_page(page)
    assert encoded[:1] == b"p" and decode_page(encoded) == page
    cache = _cache(tmp_path)
    cache.put("x.md", "e" * 64, [], encoded)
    cache.flush()
    hit = cache.get("x.md", "e" * 64)
    assert hit is not None and decode_page(hit.encoded) == page


@needs_corpus
@pytest.mark.parametrize("release", [CURRENT, PREVIOUS], ids=["2025-11-29", "2025-11-24"])
def test_every_real_page_comes_back_from_the_cache_as_transformed(tmp_path: Path,
                                                                  release: Path) -> None:
    paths = _paths(release)
    plain = process_chunk(str(release), paths, {}, MAX)
    cache = _cache(tmp_path)
    process_chunk(str(release), paths, {}, MAX, cache)
    warm = pickle.loads(pickle.dumps(process_chunk(str(release), paths, {}, MAX, cache)))
    assert len(warm.pages) == len(plain.pages) > 2700
    _same(warm, plain)


def test_a_database_removed_under_a_long_lived_process_is_not_used_any_more(tmp_path: Path
                                                                          ) -> None:
    """A worker keeps its connection between chunks; when another process removed the
    database (a newer run, `clear`), the worker's next use opens the file now at that path
    instead of reading and writing the removed one."""
    cache = _cache(tmp_path)
    cache.put("A.md", "d" * 64, [], b"m")
    cache.flush()
    assert cache.entries() == 1
    for path in cache.database.parent.iterdir():
        path.unlink()  # as another process removes it: this one's connection stays open
    assert cache.get("A.md", "d" * 64) is None and cache.entries() == 0
    cache.put("B.md", "d" * 64, [], b"m")
    cache.flush()
    with closing(sqlite3.connect(cache.database)) as connection:
        assert connection.execute("SELECT path FROM page").fetchall() == [("B.md",)]
