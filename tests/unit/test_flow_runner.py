"""The flow's task runner is chosen from the settings when a run starts (Prefect calls the
decorator runner's `duplicate()` once per flow run), never when the module is imported."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.settings import load_settings


def test_a_run_gets_the_runner_of_the_settings(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner

    from pipeline.flow import flows

    placeholder = flows.ingest_flow.task_runner
    assert isinstance(placeholder, flows.ConfiguredTaskRunner)
    config = tmp_path / "chickgraph.yaml"
    config.write_text("ingest:\n  workers: 3\n  task_runner: threads\n")
    monkeypatch.setattr(flows, "get_settings", lambda: load_settings(config, environ={}))
    threads = placeholder.duplicate()
    # 4 parses in flight (workers + 1) and the writer
    assert type(threads) is ThreadPoolTaskRunner and threads._max_workers == 5

    pytest.importorskip("prefect_dask")
    from prefect_dask import DaskTaskRunner

    config.write_text("ingest:\n  workers: 3\n  task_runner: dask\n")
    dask = placeholder.duplicate()
    assert isinstance(dask, DaskTaskRunner) and dask.cluster_kwargs["n_workers"] == 3


def test_the_flow_validates_its_parameters_after_a_pickle_by_value() -> None:
    """`chickgraph serve` runs each flow run from a cloudpickled copy of the flow. The module
    attribute is the Flow, not the function, so cloudpickle copies the function by value with
    only the globals its code names: annotations must not be strings needing the module."""
    import cloudpickle

    from pipeline.flow.flows import ingest_flow

    copy = cloudpickle.loads(cloudpickle.dumps(ingest_flow))
    params = copy.validate_parameters({"source_name": "default", "lock_wait_s": "2.5"})
    assert params["source_name"] == "default" and params["lock_wait_s"] == 2.5
    assert params["progress"] is None


def test_a_step_is_timed_only_under_a_name_the_bench_knows() -> None:
    """`step_seconds` names are FLOW_STEPS (the bench's table has a column for each): a new
    step must be added there, or its time would never reach the table."""
    from pipeline.flow.flows import _step
    from pipeline.ingest.summary import FLOW_STEPS

    steps: dict[str, float] = {}
    with _step(steps, FLOW_STEPS[0]):
        pass
    assert list(steps) == [FLOW_STEPS[0]] and steps[FLOW_STEPS[0]] >= 0
    with pytest.raises(ValueError, match=r"'warm-up' is not in summary\.FLOW_STEPS"), \
            _step(steps, "warm-up"):
        pass
    assert list(steps) == [FLOW_STEPS[0]]
