"""Scale-out: the same flow, with every task on a Dask cluster (prefect-dask DaskTaskRunner).

A local cluster of 2 worker processes stands in for a real one: the flow connects to it by
address, exactly as it would to `tcp://scheduler:8786`. The graph it loads must equal the one
the local thread runner loads, and both workers must have done part of the work.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from distributed import Client, LocalCluster
from prefect_dask import DaskTaskRunner

from pipeline.ingest import record_cache
from pipeline.queries import graph_dump
from pipeline.settings import DaskSettings, Settings, load_settings
from tests.conftest import CURRENT, FIXTURES, mark_loaded, needs_corpus, reference_dump

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[LocalCluster]:
    # worker processes inherit this process's environment: the test server's port and home
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster


def on_dask(settings: Settings, address: str | None) -> Settings:
    ingest = settings.ingest.model_copy(
        update={"task_runner": "dask", "dask": DaskSettings(address=address)})
    return settings.model_copy(update={"ingest": ingest})


def executed_per_worker(cluster: LocalCluster) -> dict[str, int]:
    with Client(cluster) as client:
        return client.run(lambda dask_worker: dask_worker.state.executed_count)


def test_config_chooses_the_task_runner(tmp_path: Any) -> None:
    from prefect.task_runners import ThreadPoolTaskRunner

    from pipeline.flow.flows import task_runner

    config = tmp_path / "chickgraph.yaml"
    config.write_text("ingest:\n  workers: 3\n  task_runner: dask\n")
    local = task_runner(load_settings(config, environ={}))
    assert isinstance(local, DaskTaskRunner)
    assert local.address is None and local.cluster_kwargs["n_workers"] == 3
    remote = task_runner(load_settings(config, environ={
        "CHICKGRAPH_DASK_ADDRESS": "tcp://10.0.0.5:8786"}))
    assert isinstance(remote, DaskTaskRunner) and remote.address == "tcp://10.0.0.5:8786"
    threads = task_runner(load_settings(config, environ={"CHICKGRAPH_TASK_RUNNER": "threads"}))
    assert isinstance(threads, ThreadPoolTaskRunner)


def test_small_sync_on_dask_equals_the_thread_runner(
    empty_graph: Any, settings: Settings, dask_cluster: LocalCluster
) -> None:
    from pipeline.flow.flows import ingest_flow, task_runner

    by_threads = ingest_flow(str(FIXTURES / "sync"))
    expected = graph_dump.dump(empty_graph, settings)
    graph_dump.wipe(empty_graph, settings)
    runner = task_runner(on_dask(settings, dask_cluster.scheduler_address))
    by_dask = ingest_flow.with_options(task_runner=runner)(str(FIXTURES / "sync"))
    assert by_dask.pages_loaded == by_threads.pages_loaded == 3
    assert (by_dask.nodes, by_dask.relationships) == (by_threads.nodes, by_threads.relationships)
    got = graph_dump.dump(empty_graph, settings)
    assert got == expected, got.difference(expected)
    rerun = ingest_flow.with_options(task_runner=runner)(str(FIXTURES / "sync"))
    assert rerun.pages_unchanged == 3 and rerun.pages_loaded == 0


@needs_corpus
@pytest.mark.slow
def test_whole_corpus_on_a_two_worker_dask_cluster(
    driver: Any, settings: Settings, prefect_harness: None, dask_cluster: LocalCluster
) -> None:
    from pipeline.flow.flows import ingest_flow, task_runner

    # the session's dump of a fresh load (loaded here only if no test made it yet): the
    # database is emptied next, so whatever it holds now does not matter
    expected = reference_dump(driver, settings, CURRENT)
    before = executed_per_worker(dask_cluster)
    mark_loaded(None)
    graph_dump.wipe(driver, settings)
    # every page parsed on the cluster: from a warm record cache a chunk takes ~40 ms, too
    # little for Dask to spread the chunks over both workers (the cache's own proofs are in
    # tests/unit/test_record_cache.py and test_sync.py)
    assert settings.ingest.record_cache is not None
    record_cache.clear(settings.ingest.record_cache)
    runner = task_runner(on_dask(settings, dask_cluster.scheduler_address))
    summary = ingest_flow.with_options(task_runner=runner)(str(CURRENT))
    assert summary.pages_loaded == 2730 and summary.pages_failed == 0
    got = graph_dump.dump(driver, settings)
    assert got == expected, got.difference(expected)
    mark_loaded(CURRENT)  # equal to a fresh load: later tests may reuse it
    after = executed_per_worker(dask_cluster)
    work = [after[worker] - before.get(worker, 0) for worker in after]
    # 14 chunks parsed + 14 written, spread over both processes
    assert len(work) == 2 and min(work) >= 5, work
