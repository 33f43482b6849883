"""The ingest core both writers share (pipeline/ingest/core.py): gene-key claims, the
parse-ahead window, counts and the IngestRun record. Pure: no Neo4j, no Prefect, no files."""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import Future
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract.pages import PageIssue
from pipeline.ingest import core
from pipeline.ingest.chunks import ChunkResult, flow_chunks
from pipeline.ingest.core import GraphState, IngestRun
from pipeline.ingest.summary import ARTIFACT_ERRORS, IngestSummary, PageError
from pipeline.load.params import timestamp
from pipeline.load.rows import CHUNK_STATEMENTS, PageRows


def page(path: str, gene_key: str) -> PageRows:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in CHUNK_STATEMENTS}
    rows["pages"].append({"gene_key": gene_key, "props": {"path": path}})
    return PageRows(path, gene_key, rows)


def fresh(state: GraphState | None = None) -> IngestRun:
    return IngestRun(IngestSummary(run_id="r", source="s"), state or GraphState.empty())


def chunk(*pages: PageRows, unchanged: tuple[str, ...] = (), failed: tuple[str, ...] = (),
          issues: tuple[PageIssue, ...] = ()) -> ChunkResult:
    return ChunkResult(entries=list(pages), issues=list(issues), unchanged=list(unchanged),
                       failed=list(failed))


# --------------------------------------------------------------------------- parse-ahead


def done(value: Any) -> Future[Any]:
    future: Future[Any] = Future()
    future.set_result(value)
    return future


def test_parse_ahead_keeps_order_and_a_bounded_window() -> None:
    events: list[str] = []

    def submit(item: int) -> Future[int]:
        events.append(f"submit {item}")
        return done(item * 10)

    for result in core.parse_ahead(range(5), submit, ahead=2):
        events.append(f"handle {result}")
    assert events == [
        "submit 0", "submit 1", "submit 2", "handle 0",  # 3 in flight before the first result
        "submit 3", "handle 10", "submit 4", "handle 20",  # one more after each result
        "handle 30", "handle 40",  # then the window drains
    ]


def test_parse_ahead_with_no_window_alternates() -> None:
    events: list[str] = []

    def submit(item: str) -> Future[str]:
        events.append(item)
        return done(item.upper())

    for result in core.parse_ahead(["a", "b"], submit, ahead=0):
        events.append(result)
    assert events == ["a", "A", "b", "B"]


def test_parse_ahead_raises_the_failure_of_a_chunk_in_order() -> None:
    failed: Future[int] = Future()
    failed.set_exception(ValueError("chunk 1 is broken"))
    futures = [done(0), failed, done(2)]
    got = []
    with pytest.raises(ValueError, match="chunk 1"):
        for result in core.parse_ahead(range(3), futures.__getitem__, ahead=1):
            got.append(result)
    assert got == [0]


# --------------------------------------------------------------------------- write-behind


class Write:
    """A write that commits only when its result is asked for, so the events show what ran
    while it was in flight."""

    def __init__(self, events: list[str], item: str) -> None:
        self.events, self.item = events, item

    def result(self) -> None:
        self.events.append(f"commit {self.item}")


def fetched(events: list[str], items: list[str], fail_at: str | None = None) -> Any:
    for item in items:
        if item == fail_at:
            events.append(f"fetch {item} fails")
            raise ValueError(f"chunk {item} did not parse")
        events.append(f"fetch {item}")
        yield item


def test_write_behind_fetches_the_next_chunk_while_one_is_written() -> None:
    events: list[str] = []

    def write(item: str) -> Write | None:
        events.append(f"write {item}")
        return None if item == "b" else Write(events, item)

    core.write_behind(fetched(events, ["a", "b", "c"]), write,
                      lambda item: events.append(f"written {item}"))
    assert events == [
        "fetch a", "write a",
        "fetch b", "commit a", "written a", "write b",  # b fetched while a was in flight
        "fetch c", "written b", "write c",  # b had nothing to write: no commit to wait for
        "commit c", "written c",
    ]


def test_write_behind_a_failed_write_stops_before_the_next_write() -> None:
    events: list[str] = []

    def write(item: str) -> Future[None]:
        events.append(f"write {item}")
        future: Future[None] = Future()
        if item == "a":
            future.set_exception(ValueError("a failed to commit"))
        else:
            future.set_result(None)
        return future

    with pytest.raises(ValueError, match="a failed"):
        core.write_behind(fetched(events, ["a", "b", "c"]), write,
                          lambda item: events.append(f"written {item}"))
    assert events == ["fetch a", "write a", "fetch b"]  # b fetched, never written


def test_write_behind_a_failed_fetch_waits_for_the_write_in_flight() -> None:
    events: list[str] = []
    with pytest.raises(ValueError, match="chunk b did not parse"):
        core.write_behind(fetched(events, ["a", "b", "c"], fail_at="b"),
                          lambda item: Write(events, item),
                          lambda item: events.append(f"written {item}"))
    assert events == ["fetch a", "fetch b fails", "commit a", "written a"]


def test_retract_takes_an_uncommitted_chunk_out_of_the_count() -> None:
    run = fresh()
    first = run.absorb(chunk(page("a.md", "g1"), page("b.md", "g2")))
    second = run.absorb(chunk(page("c.md", "g3")))
    assert run.summary.pages_loaded == 3
    run.retract(second)
    assert run.summary.pages_loaded == 2
    run.retract(first)
    assert run.summary.pages_loaded == 0


# --------------------------------------------------------------------------- claims


def test_first_load_the_smaller_path_keeps_the_gene() -> None:
    run = fresh()
    rows = run.absorb(chunk(page("a.md", "g1"), page("b.md", "g2"), page("c.md", "g1")))
    assert rows.paths == ["a.md", "b.md"] and rows.delete_paths == []
    assert run.summary.pages_loaded == 2 and run.summary.pages_failed == 1
    assert run.summary.errors == [PageError(
        file="c.md", field="gene_id", message="g1 is already described by a.md; page skipped")]
    assert run.state.owner_of_key == {"g1": "a.md", "g2": "b.md"}


def test_a_smaller_path_later_in_the_run_displaces_the_holder() -> None:
    run = fresh()
    run.absorb(chunk(page("b.md", "g")))
    rows = run.absorb(chunk(page("a.md", "g")))
    assert rows.paths == ["a.md"] and rows.delete_paths == ["b.md"]  # same transaction
    assert run.summary.errors[-1].message == "g is also described by a.md, which wins; page removed"
    assert run.summary.pages_loaded == 2 and run.summary.pages_failed == 1
    assert run.displaced == {"b.md"}
    again = run.absorb(chunk(page("b.md", "g"), unchanged=("b.md",)))  # reported once only
    assert again.paths == [] and run.summary.pages_failed == 1
    assert run.summary.pages_unchanged == 0


def test_a_page_that_lost_its_gene_in_the_graph_is_deleted_with_the_winner() -> None:
    state = GraphState.from_owners([{"path": "b.md", "gene_key": "g", "sha256": "1"}],
                                   full_reload=False)
    run = fresh(state)
    rows = run.absorb(chunk(page("a.md", "g")))
    assert rows.delete_paths == ["b.md"] and rows.paths == ["a.md"]


@pytest.mark.parametrize("renamed", ["Alas2-renamed.md", "0-ALAS2.md"])
def test_a_renamed_page_takes_over_its_gene_from_the_page_that_left(renamed: str) -> None:
    """ALAS2.md renamed: the graph's page has left the source, so the new path takes the gene
    whether it sorts after the old one (it was skipped, and the gene lost for a run) or
    before it (the old page was reported as a failed page); the old page is deleted in the
    same transaction, and counted as deleted, not failed."""
    state = GraphState.from_owners([{"path": "ALAS2.md", "gene_key": "g", "sha256": "1"},
                                    {"path": "SHH.md", "gene_key": "s", "sha256": "2"}],
                                   full_reload=False)
    run = fresh(state)
    run.to_delete |= {"ALAS2.md"}  # as the flow finds it: in the graph, not in the source
    rows = run.absorb(chunk(page(renamed, "g"), unchanged=("SHH.md",)))
    assert rows.paths == [renamed] and rows.delete_paths == ["ALAS2.md"]
    assert run.summary.errors == [] and run.summary.pages_failed == 0
    assert (run.summary.pages_loaded, run.summary.pages_unchanged) == (1, 1)
    assert run.state.owner_of_key == {"g": renamed, "s": "SHH.md"}
    assert run.displaced == set()


def test_a_page_skipped_for_a_gene_it_held_is_deleted() -> None:
    """z.md held g2 in the graph; it now describes g1, which a.md owns: its old data goes."""
    state = GraphState.from_owners([{"path": "a.md", "gene_key": "g1", "sha256": "1"},
                                    {"path": "z.md", "gene_key": "g2", "sha256": "2"}],
                                   full_reload=False)
    run = fresh(state)
    rows = run.absorb(chunk(page("z.md", "g1")))
    assert rows.paths == [] and rows.delete_paths == ["z.md"]
    assert "g2" not in run.state.owner_of_key  # released: another page may take it


def test_a_page_that_changes_gene_releases_the_old_one() -> None:
    state = GraphState.from_owners([{"path": "a.md", "gene_key": "old", "sha256": "1"}],
                                   full_reload=False)
    run = fresh(state)
    first = run.absorb(chunk(page("a.md", "new")))
    second = run.absorb(chunk(page("b.md", "old")))
    assert first.paths == ["a.md"] and second.paths == ["b.md"]
    assert run.summary.pages_failed == 0


def test_absorb_counts_failures_warnings_and_unchanged_pages() -> None:
    issue = PageIssue(file="bad.md", field="symbol", message="not a string")
    warning = PageIssue(file="a.md", field="stage", message="normalised", severity="warning")
    run = fresh()
    run.absorb(chunk(page("a.md", "g"), unchanged=("u.md",), failed=("bad.md",),
                     issues=(issue, warning)))
    s = run.summary
    assert (s.pages_loaded, s.pages_unchanged, s.pages_failed) == (1, 1, 1)
    assert [e.severity for e in s.errors] == ["error", "warning"]
    assert core.pages_in(chunk(page("a.md", "g"), unchanged=("u.md",), failed=("x",))) == 3


def test_known_hashes_and_full_reload() -> None:
    owners = [{"path": "a.md", "gene_key": "g", "sha256": "h"}]
    sync = fresh(GraphState.from_owners(owners, full_reload=False))
    assert sync.known_hashes(["a.md", "b.md"]) == {"a.md": "h"}
    reload = fresh(GraphState.from_owners(owners, full_reload=True, gc_owed=True))
    assert reload.known_hashes(["a.md"]) == {}  # every page is parsed again
    assert reload.state.owner_of_key == {"g": "a.md"} and reload.state.gc_owed


# --------------------------------------------------------------------------- record


def test_counts_leave_out_run_nodes() -> None:
    summary = core.with_counts(
        IngestSummary(run_id="r", source="s"),
        [{"label": "Gene", "count": 3}, {"label": "IngestRun", "count": 9}],
        [{"type": "DESCRIBES", "count": 2}])
    assert summary.nodes == {"Gene": 3} and summary.relationships == {"DESCRIBES": 2}


@given(st.dictionaries(st.sampled_from(["Gene", "Image", "Page", "Site"]),
                       st.integers(0, 4_000)), st.integers(0, 20_000))
def test_a_run_replans_from_the_threshold_on(nodes: dict[str, int], min_nodes: int) -> None:
    """Judged by all the nodes the graph holds after the run (the run's own are left out of
    the counts already), at or above the threshold; 0 replans after every run."""
    summary = IngestSummary(run_id="r", source="s", nodes=nodes)
    assert core.worth_replanning(summary, min_nodes) == (sum(nodes.values()) >= min_nodes)
    assert core.worth_replanning(summary, 0)
    assert not core.worth_replanning(IngestSummary(run_id="r", source="s"), 1)


def test_ingest_run_props_are_scalars_and_timestamps() -> None:
    summary = IngestSummary(run_id="r", source="s", commit=None, pages_loaded=2,
                            nodes={"Gene": 1}, errors=[PageError(file="f", field="x",
                                                                 message="m")])
    props = core.ingest_run_props(summary, "2026-01-01T00:00:00.000+00:00", "later",
                                  loader="bulk")
    assert props["run_id"] == "r" and props["pages_loaded"] == 2 and props["errors"] == 1
    assert props["started_at"] == "2026-01-01T00:00:00.000+00:00"
    assert props["finished_at"] == "later" and props["loader"] == "bulk"
    assert "commit" not in props and "nodes" not in props  # None and maps are not stored
    assert all(isinstance(v, str | int | float | bool) for v in props.values())


def test_timestamps_are_utc_with_milliseconds_and_sort_in_time_order() -> None:
    first = timestamp()
    time.sleep(0.002)
    second = timestamp()
    for stamp in (first, second):
        assert stamp.endswith("+00:00") and len(stamp.split(".")[1]) == len("123+00:00")
    assert first < second


IMPORTS = """
import os, sys
for name in [n for n in os.environ if n.startswith("PREFECT_")]:
    del os.environ[name]
import {module}
from pipeline.settings import get_settings
print(get_settings.cache_info().currsize, "prefect" in sys.modules,
      sorted(n for n in os.environ if n.startswith("PREFECT_")))
"""


def imported(module: str) -> str:
    done = subprocess.run([sys.executable, "-c", IMPORTS.format(module=module)],
                          capture_output=True, text=True, check=True, timeout=120)
    return done.stdout.strip()


def test_the_core_and_the_bulk_path_import_no_prefect() -> None:
    assert imported("pipeline.ingest.core") == "0 False []"
    assert imported("bench.bulk") == "0 False []"


def test_importing_the_flow_reads_no_settings_and_configures_nothing() -> None:
    """Settings are read and Prefect configured when a command runs the flow, not on import
    (the flow module imports Prefect itself, but sets none of its variables)."""
    assert imported("pipeline.flow.flows") == "0 True []"
    assert imported("pipeline.flow.runner") == "0 False []"


@given(st.integers(0, 700), st.integers(1, 250))
def test_flow_chunks_start_small_and_lose_nothing(pages: int, size: int) -> None:
    """The first chunk is a quarter of the others (the writer starts sooner); every page is in
    exactly one chunk, in order; only the last may be short."""
    paths = [f"p{n:04d}.md" for n in range(pages)]
    chunks = list(flow_chunks(paths, size))
    assert [p for chunk in chunks for p in chunk] == paths
    assert all(chunks)
    if pages:
        assert len(chunks[0]) == min(pages, max(1, size // 4))
        assert all(len(chunk) == size for chunk in chunks[1:-1])
        assert all(len(chunk) <= size for chunk in chunks[1:])


@pytest.mark.parametrize("problems", [ARTIFACT_ERRORS, ARTIFACT_ERRORS + 3])
def test_the_artifact_says_how_many_problems_its_table_left_out(problems: int) -> None:
    errors = [PageError(file=f"P{i}.md", field="stages", message="unknown stage")
              for i in range(problems)]
    text = IngestSummary(run_id="r", source="s", errors=errors).markdown()
    listed = [line for line in text.splitlines() if line.startswith("| P")]
    assert len(listed) == ARTIFACT_ERRORS and listed[-1].startswith(f"| P{ARTIFACT_ERRORS - 1}.md")
    more = [line for line in text.splitlines() if "more:" in line]
    assert more == ([] if problems == ARTIFACT_ERRORS else [
        "| ... | | 3 more: `chickgraph ingest --json` lists them all |"])
