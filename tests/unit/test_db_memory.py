"""A query that runs out of the server's transaction memory: reported at once, never retried
by the driver's managed transaction (Neo4j calls a full memory pool transient)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from neo4j.exceptions import DriverError, Neo4jError, TransientError

from pipeline.errors import ChickGraphError, QueryOutOfMemory
from pipeline.load import db

SERVER_TEXT = ("The allocation of an extra 296.5 MiB would use more than the limit 1.4 GiB. "
               "Currently using 1.4 GiB. dbms.memory.transaction.total.max threshold reached")


class _Tx:
    def __init__(self, code: str) -> None:
        self.code = code

    def run(self, _query: str, _params: dict[str, Any]) -> Any:
        raise Neo4jError._hydrate_neo4j(code=self.code, message=SERVER_TEXT)


def test_a_full_memory_pool_is_final_when_asked() -> None:
    with pytest.raises(QueryOutOfMemory) as caught:
        db._eager(_Tx(db.MEMORY_POOL_FULL), "RETURN 1", {}, db.Bookmarks(), True)  # type: ignore[arg-type]
    error = caught.value
    # the driver retries only its own errors: ours ends the managed transaction at once
    assert not isinstance(error, Neo4jError | DriverError)
    assert isinstance(error, ChickGraphError)  # the CLI prints it as one line
    message = str(error)
    assert SERVER_TEXT in message and "\n" not in message
    assert "smaller limit" in message and "dbms.memory.transaction.total.max" in message
    assert isinstance(error.__cause__, TransientError)


def test_a_full_memory_pool_is_retried_otherwise() -> None:
    with pytest.raises(TransientError) as caught:
        db._eager(_Tx(db.MEMORY_POOL_FULL), "RETURN 1", {}, db.Bookmarks())  # type: ignore[arg-type]
    assert caught.value.is_retryable()


def test_other_transient_errors_are_still_retried() -> None:
    code = "Neo.TransientError.Transaction.DeadlockDetected"
    with pytest.raises(TransientError) as caught:
        db._eager(_Tx(code), "RETURN 1", {}, db.Bookmarks(), True)  # type: ignore[arg-type]
    assert caught.value.code == code and caught.value.is_retryable()


class _Session:
    """Records which managed transaction `run_managed` asked for, and with what."""

    def __init__(self, calls: list[tuple[str, bool]]) -> None:
        self.calls = calls

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *_exc: object) -> None:
        return None

    def execute_read(self, _work: Any, *args: Any) -> Any:
        self.calls.append(("read", args[-1]))
        return [], None, []  # an empty EagerResult: records, summary, keys

    def execute_write(self, _work: Any, *args: Any) -> Any:
        self.calls.append(("write", args[-1]))
        return [], None, []


class _Driver:
    def __init__(self) -> None:
        self.calls: list[tuple[str, bool]] = []

    def session(self, **_kwargs: Any) -> _Session:
        return _Session(self.calls)


SETTINGS: Any = SimpleNamespace(neo4j=SimpleNamespace(database="neo4j"))


def test_the_pipelines_queries_keep_the_retry_when_not_asked() -> None:
    driver = _Driver()
    db.run_read(driver, SETTINGS, "RETURN 1")  # type: ignore[arg-type]
    db.run_write(driver, SETTINGS, "RETURN 1")  # type: ignore[arg-type]
    db.run_read(driver, SETTINGS, "RETURN 1", memory_final=True)  # type: ignore[arg-type]
    db.run_write(driver, SETTINGS, "RETURN 1", memory_final=True)  # type: ignore[arg-type]
    assert driver.calls == [("read", False), ("write", False), ("read", True), ("write", True)]


def test_named_queries_fail_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.queries import named

    asked: list[bool] = []

    def run_read(*_args: Any, memory_final: bool = False) -> list[dict[str, Any]]:
        asked.append(memory_final)
        return [{"symbol": "ALAS2"}]

    monkeypatch.setattr(db, "run_read", run_read)
    named.run_raw("orthologs", SETTINGS, _Driver(), symbol="ALAS2")  # type: ignore[arg-type]
    assert asked == [True]
