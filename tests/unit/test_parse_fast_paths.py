"""Fast paths of parse + transform must give exactly what the plain paths give.

- `_CYAMLHandler.split` vs python-frontmatter's YAMLHandler.split (regex over the whole text);
- `ChunkResult` crossing a process boundary (rows as marshal, `date` pages as pickle), and
  built already encoded in a worker process;
- the records of every page of both releases with the vocabulary memos shared by all
  pages and fresh for each.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import pickle
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from frontmatter.default_handlers import YAMLHandler
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.extract.pages import _HANDLER, PageIssue, discover, read_page, relative_id
from pipeline.ingest.chunks import ChunkResult, decode_page, process_chunk
from pipeline.load.rows import page_rows
from pipeline.transform import records
from pipeline.transform.records import Vocabularies, transform
from pipeline.transform.vocab.anatomy import load_anatomy
from pipeline.transform.vocab.stages import load_stage_table
from tests.conftest import CURRENT, PREVIOUS, needs_corpus

RELEASES = pytest.mark.parametrize("release", [CURRENT, PREVIOUS],
                                   ids=["2025-11-29", "2025-11-24"])


def split_outcome(split: Any, text: str) -> Any:
    try:
        return split(text)
    except ValueError:
        return "ValueError"


# ------------------------------------------------------------------------------- split


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["-", "---", "----", "\n", " ", "\t", "\r", "x", "\n---\n",
                                 "\n--- \n", "\n---x", "\n\n"]), max_size=14).map("".join))
@example("---\n\n---\n")
@example("---\na: 1\n---  \n\nbody")
@example("x\n---\na: 1\n---\n")
def test_split_is_yaml_handlers_split(text: str) -> None:
    assert split_outcome(_HANDLER.split, text) == split_outcome(YAMLHandler().split, text)


@needs_corpus
@RELEASES
def test_split_of_every_real_page(release: Path) -> None:
    reference = YAMLHandler()
    for page in sorted(release.glob("*.md")):
        text = page.read_text(encoding="utf-8")
        assert _HANDLER.split(text) == reference.split(text), page


TEXTS = st.one_of(st.none(), st.sampled_from(["", " ", "x", "12", " 7 ", "²", "0" * 9]))
VALUES = st.one_of(TEXTS, st.booleans(), st.integers(-2, 2), st.floats(allow_nan=False),
                   st.dates(), st.datetimes(), st.just([]), st.just({}), st.just(("x",)))


# ---------------------------------------------------------------------- ChunkResult


def test_chunk_result_crosses_a_process_boundary_unchanged() -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
    paths = [relative_id(fixtures, p) for p in discover(fixtures)]
    result = process_chunk(str(fixtures), paths, {}, 10_000_000)
    assert result.pages
    dated = result.pages[0]
    dated.rows["genes"][0]["props"]["date"] = dt.date(2023, 1, 1)  # marshal cannot write it
    result.issues.append(PageIssue("x.md", "(file)", "empty file"))
    result.unchanged.append("y.md")
    back = pickle.loads(pickle.dumps(result))
    assert isinstance(back, ChunkResult)
    assert all(isinstance(entry, bytes) for entry in back.entries)  # decoded when used
    assert repr(back.pages) == repr(result.pages)
    assert repr(back) == repr(result)
    assert back.pages[0].rows["genes"][0]["props"]["date"] == dt.date(2023, 1, 1)
    assert repr(pickle.loads(pickle.dumps(ChunkResult()))) == repr(ChunkResult())
    with pytest.raises(TypeError, match="not an encoded page"):
        decode_page(b"p" + pickle.dumps({"a": 1}))


def _built_in_worker(root: str, paths: list[str]) -> tuple[list[str], ChunkResult]:
    result = process_chunk(root, paths, {}, 10_000_000)
    return [type(entry).__name__ for entry in result.entries], result


def test_a_worker_process_builds_its_pages_encoded_with_the_same_rows() -> None:
    """In a pool's worker the rows are encoded as each page is built (not when the result is
    pickled); in the caller's process they stay decoded. Either way the same rows."""
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
    paths = [relative_id(fixtures, p) for p in discover(fixtures)]
    here = process_chunk(str(fixtures), paths, {}, 10_000_000)
    assert here.entries and {type(entry) for entry in here.entries} == {type(here.pages[0])}
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        kinds, there = pool.submit(_built_in_worker, str(fixtures), paths).result()
    assert kinds == ["bytes"] * len(here.entries)
    assert repr(there.pages) == repr(here.pages)
    assert (there.issues, there.failed) == (here.issues, here.failed)


# ------------------------------------------------------------- records of every page


@needs_corpus
@RELEASES
def test_records_of_every_real_page_with_shared_and_fresh_memos(release: Path) -> None:
    """`Vocabularies.shows` memoises location strings across pages: a page's records must not
    depend on the pages transformed before it."""
    stages, anatomy = load_stage_table(), load_anatomy()
    shared = Vocabularies(stages, anatomy)
    for page in discover(release):
        raw = read_page(release, page, 10_000_000)
        fast = transform(raw, shared)  # type: ignore[arg-type]
        plain = transform(raw, Vocabularies(stages, anatomy))  # type: ignore[arg-type]
        assert repr(fast) == repr(plain), page
        if not isinstance(fast, PageIssue):
            assert repr(page_rows(fast)) == repr(page_rows(plain)), page


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(st.sampled_from(["image_url", "caption", "stage", "other", "x y"]),
                       st.one_of(TEXTS, VALUES)))
def test_entry_parts_are_present_fields_nulls_and_extra_json(entry: dict[str, Any]) -> None:
    known = frozenset(("image_url", "caption", "stage"))
    expected = (records._present(entry, known), list(entry),
                [k for k, v in entry.items() if v is None], records._extra_json(entry, known))
    assert repr(records._entry_parts(entry, known)) == repr(expected)


def expression_by_sets(images: Any) -> tuple[records.ExpressionRecord, ...]:
    """`expression` as it was: a set of image positions per (structure, stage)."""
    seen: dict[tuple[str, str], set[int]] = {}
    ordinals: dict[str, float | None] = {}
    for image in images:
        ordinals[image.stage_key] = image.stage_ordinal
        for shows in image.shows:
            if shows.kind == "structure":
                seen.setdefault((shows.structure_key, image.stage_key), set()).add(image.position)
    return tuple(records.ExpressionRecord(structure, stage, ordinals[stage], len(positions))
                 for (structure, stage), positions in sorted(seen.items()))


@needs_corpus
def test_expression_and_shows_as_they_were_on_the_current_release() -> None:
    vocab = Vocabularies(load_stage_table(), load_anatomy())
    for page in discover(CURRENT):
        raw = read_page(CURRENT, page, 10_000_000)
        images = records.image_records(raw.path, raw.front_matter.get("images"), vocab)  # type: ignore[union-attr]
        assert records.expression(images) == expression_by_sets(images), page
        for image, entry in zip(images, raw.front_matter.get("images") or [], strict=True):  # type: ignore[union-attr]
            terms = records.split_location(entry.get("location"))
            assert image.shows == tuple(
                records.ShowsRecord(vocab.term(t).key, vocab.term(t).name, vocab.term(t).kind,
                                    i, t) for i, t in enumerate(terms)), page


def test_threads_asking_for_the_worker_pool_at_once_share_one() -> None:
    """The flow's first parse tasks ask for the pool at the same moment, from the task
    runner's threads: one pool (a pool makes no process before its first task)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from pipeline.ingest import chunks

    size = 7  # a size no other test asks for
    start = threading.Barrier(8)

    def ask(_: int) -> object:
        start.wait()
        return chunks.worker_pool(size)

    try:
        with ThreadPoolExecutor(8) as threads:
            pools = list(threads.map(ask, range(8)))
        assert all(pool is pools[0] for pool in pools)
    finally:
        pool = chunks._POOL.pop(size, None)
        if pool is not None:
            pool.shutdown()
