"""The bench's query verdicts (bench/run_all.py): the targets read the timed second pass over
the catalogue, and the report keeps the first pass beside it. No Neo4j here."""

from __future__ import annotations

from typing import Any

import pytest

from bench import run_all


def query(p95: float, first: float | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"p50_ms": p95 / 2, "p95_ms": p95, "max_ms": p95 + 1,
                           "server_p50_ms": 1.0, "server_p95_ms": 2, "mean_rows": 3,
                           "scans": [], "db_hits": 10, "operators": ["ProduceResults"]}
    if first is not None:
        out["first_pass_p95_ms"] = first
    return out


def test_the_verdict_is_the_second_pass_and_names_the_first() -> None:
    queries = {"a": query(12.0, first=31.5), "b": query(20.0, first=22.0)}
    (label, measured, ok), = run_all.targets({"queries": queries})
    assert label == "every named query at 1x: p95 < 25 ms" and ok is True
    assert measured == "worst: b 20.0 ms (first pass over the catalogue: a 31.5 ms)"


def test_the_verdict_fails_on_the_second_pass_alone() -> None:
    (_, measured, ok), = run_all.targets({"queries_scaled": {
        "factor": 25, "queries": {"a": query(140.0, first=90.0), "b": query(60.0)}}})
    assert ok is False and measured.startswith("worst: a 140.0 ms")


def test_runs_without_a_first_pass_read_as_before() -> None:
    (_, measured, _), = run_all.targets({"queries": {"a": query(12.0)}})
    assert measured == "worst: a 12.0 ms"


def test_the_table_carries_the_first_pass_column() -> None:
    report = {"machine": "m", "started": "s", "finished": "f", "load_start": "1",
              "load_end": "2", "queries": {"a": query(12.0, first=31.5), "b": query(9.0)}}
    lines = run_all.render(report).splitlines()
    header = next(line for line in lines if line.startswith("| query | p50 ms"))
    assert "| first pass p95 ms |" in header
    assert any(line.startswith("| a | 6.0 | 12.0 | 13.0 | 31.5 | 1.0 / 2 |") for line in lines)
    assert any(line.startswith("| b | 4.5 | 9.0 | 10.0 | - | 1.0 / 2 |") for line in lines)


def test_a_query_that_answered_nothing_is_named() -> None:
    empty = query(3.0) | {"mean_rows": 0}
    (_, measured, ok), = run_all.targets({"queries_scaled": {
        "factor": 25, "queries": {"a": query(60.0), "ortholog-consistency": empty}}})
    assert ok is True and measured == (
        "worst: a 60.0 ms; answered nothing (not measured on data): ortholog-consistency")


def test_the_scaled_consistency_report_is_checked_against_1x() -> None:
    """Each copy of the corpus and of the annotation database disagrees exactly where copy 0
    does: the report says whether the Nx count is N times the 1x one."""
    from bench.run_all import _pairs_to_review

    assert _pairs_to_review({"factor": 1, "pairs_to_review": 70}, 70) == "70 pairs to review"
    assert _pairs_to_review({"factor": 25, "pairs_to_review": 1750}, 70).endswith(
        "(exactly 25x the 1x count)")
    assert "**not** 25x" in _pairs_to_review({"factor": 25, "pairs_to_review": 1749}, 70)


def test_a_bench_without_the_database_goes_on_and_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No apt-get here: the query passes run on the graph without the enrichment, and the
    report names why (the verdict then names ortholog-consistency as answering nothing)."""
    from bench import scale_annotations

    def unavailable(factor: int) -> None:
        raise scale_annotations.Unavailable("cannot obtain org.Hs.eg.db: apt-get not found")

    monkeypatch.setattr(scale_annotations, "scaled", unavailable)
    missing = run_all._enrich(25)
    assert missing == {"factor": 25, "error": "cannot obtain org.Hs.eg.db: apt-get not found"}
    line = run_all.enrichment_line([
        {"factor": 1, "pairs_to_review": 70, "annotated": 2328, "genes": 2328, "seconds": 2.7},
        missing])
    assert "1x: 2,328 of 2,328 genes annotated, 70 pairs to review" in line
    assert "25x: not applied (cannot obtain org.Hs.eg.db: apt-get not found)" in line


@pytest.mark.parametrize(("runs", "shown"), [
    ([13.1, 12.4, 15.2], "(274 s / 12.4 s, median of 3 cold loads: 13.1, 12.4, 15.2 s)"),
    (None, "(274 s / 12.4 s)"),  # results written before the cold loads were repeated
])
def test_the_cold_verdict_is_the_median_and_lists_the_loads(runs: list[float] | None,
                                                            shown: str) -> None:
    server: dict[str, Any] = {"first_load_s": 12.4, "own_work_ratio": 0.04,
                              "no_change_own_s": 0.4, "first_load_own_s": 10.3}
    if runs is not None:
        server["first_load_runs_s"] = runs
    rows = run_all.targets({"naive": {"full_corpus_s": 274.0, "extrapolated": False},
                            "ingest_server": server})
    (measured, ok), = [(m, ok) for label, m, ok in rows if label.startswith("cold ingest vs")]
    assert measured == f"22.1x {shown}" and ok is False


def test_the_steps_table_lists_each_load_and_marks_a_skipped_step() -> None:
    steps = {"prepare": 0.25, "pages": 10.4, "release": 0.6, "finish": 1.5, "enrich": 0.01,
             "statistics": 0.02}
    rows = run_all._steps_table({
        "ingest_server": {"first_load_steps_s": steps},
        "ingest_ephemeral": {"first_load_s": 16.4},  # results written before the steps
        "scaling": {"series": [{"factor": 25, "steps_s": {"prepare": 0.3, "pages": 250.0}}]},
    })
    assert rows[-2] == ("| 1x, server Prefect (median cold load) | 0.25 | 10.40 | 0.60 | "
                        "1.50 | 0.01 | 0.02 | 12.78 |")
    assert rows[-1] == ("| 25x, ephemeral Prefect (scaling) | 0.30 | 250.00 | - | - | - | - | "
                        "250.30 |")
    assert not any("ephemeral Prefect (median" in row for row in rows)
    assert run_all._steps_table({"ingest_server": {"first_load_s": 12.4}}) == []


@pytest.mark.parametrize(("flow_s", "done"), [
    ([], False),  # none yet
    ([20.5], False),  # one load: never enough
    ([20.5, 13.5], False),  # 34% faster: still compiling
    ([20.5, 13.5, 12.1], False),  # 10%
    ([20.5, 13.5, 12.1, 11.7], True),  # 3.3%: steady
    ([20.5, 21.0], True),  # slower: no gain left to wait for
    ([30.0, 25.0, 20.0, 16.0, 13.0], True),  # the cap
])
def test_the_warm_up_goes_on_until_a_load_gains_little(flow_s: list[float], done: bool) -> None:
    assert run_all.warmed_up(flow_s) is done


def test_the_warm_up_is_reported_when_kept() -> None:
    line = run_all._warm_up_line({"warm_up_flow_s": [20.51, 13.5, 12.13, 11.67]})
    assert line[-1] == ("Before the cold loads, 4 warm-up loads of the whole corpus (each into "
                        "an empty database, wiped after), until one gained less than 4% on the "
                        "one before; by the flow's own timer: 20.5, 13.5, 12.1, 11.7 s.")
    assert run_all._warm_up_line({}) == []
