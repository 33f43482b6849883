"""The per-driver bookmark manager of `db.execute`: chained like the driver's own, and
forgettable (a `chickgraph neo4j load` rewinds the database's transaction ids)."""

from __future__ import annotations

from typing import Any

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import Neo4jError, TransientError

from pipeline.load import db


def test_bookmarks_chain_and_forget() -> None:
    manager = db.Bookmarks()
    manager.update_bookmarks((), ("b1",))
    manager.update_bookmarks(("b1",), ("b2",))  # a newer transaction replaces the one read
    assert set(manager.get_bookmarks()) == {"b2"}
    manager.update_bookmarks(("b2",), ())  # no new bookmark: keep what we had
    assert set(manager.get_bookmarks()) == {"b2"}
    manager.forget()
    assert set(manager.get_bookmarks()) == set()


def test_one_manager_per_driver() -> None:
    first = GraphDatabase.driver("bolt://127.0.0.1:1", auth=("neo4j", "x"))
    second = GraphDatabase.driver("bolt://127.0.0.1:1", auth=("neo4j", "x"))
    try:
        assert db.bookmarks(first) is db.bookmarks(first)
        assert db.bookmarks(first) is not db.bookmarks(second)
    finally:
        first.close()
        second.close()


class _Tx:
    def run(self, _query: str, _params: dict[str, Any]) -> Any:
        raise Neo4jError._hydrate_neo4j(code=db.BOOKMARK_TIMEOUT, message="not up to")


def test_a_bookmark_timeout_forgets_and_is_retried() -> None:
    manager = db.Bookmarks()
    manager.update_bookmarks((), ("stale",))
    try:
        db._eager(_Tx(), "RETURN 1", {}, manager)  # type: ignore[arg-type]
    except TransientError as exc:
        assert exc.is_retryable()  # the driver's managed transaction tries again ...
    else:
        raise AssertionError("the error must reach the driver's retry loop")
    assert set(manager.get_bookmarks()) == set()  # ... without the stale bookmarks


def test_tasks_asking_for_the_shared_driver_at_once_get_one(monkeypatch: Any) -> None:
    """Made and verified once, whichever task thread asks first: verification is a round
    trip to the server, long enough for every other thread to ask meanwhile."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor
    from types import SimpleNamespace

    made: list[object] = []

    def make(_settings: Any) -> object:
        made.append(driver := SimpleNamespace(close=lambda: None))
        return driver

    monkeypatch.setattr(db, "make_driver", make)
    monkeypatch.setattr(db, "verify", lambda _driver, _settings: time.sleep(0.05))
    monkeypatch.setattr(db, "_SHARED", {})
    settings = SimpleNamespace(neo4j=SimpleNamespace(effective_uri="bolt://x:1", username="u"))
    start = threading.Barrier(8)

    def ask(_: int) -> object:
        start.wait()
        return db.shared_driver(settings)  # type: ignore[arg-type]

    with ThreadPoolExecutor(8) as threads:
        drivers = list(threads.map(ask, range(8)))
    assert len(made) == 1 and all(d is made[0] for d in drivers)


def two_servers(monkeypatch: Any) -> tuple[Any, Any]:
    """Settings of two servers, and a `db.shared_driver` whose drivers note their close."""
    from types import SimpleNamespace

    def make(_settings: Any) -> Any:
        driver = SimpleNamespace(closed=False)
        driver.close = lambda: setattr(driver, "closed", True)
        return driver

    monkeypatch.setattr(db, "make_driver", make)
    monkeypatch.setattr(db, "verify", lambda _driver, _settings: None)
    monkeypatch.setattr(db, "_SHARED", {})
    one, other = (SimpleNamespace(neo4j=SimpleNamespace(effective_uri=uri, username="u"))
                  for uri in ("bolt://x:1", "bolt://x:2"))
    return one, other


def test_a_forgotten_shared_driver_is_closed_and_made_anew(monkeypatch: Any) -> None:
    """A server stopped and replaced on its port (a test's second server, an import) must not
    be asked through the driver of the one before: forgetting closes it, and the next caller
    gets a new one; another server's driver is left alone."""
    one, other = two_servers(monkeypatch)
    first, kept = db.shared_driver(one), db.shared_driver(other)  # type: ignore[arg-type]
    db.forget_shared_driver(one)  # type: ignore[arg-type]
    assert first.closed and not kept.closed
    assert db.shared_drivers() == [kept]
    assert db.shared_driver(one) is not first  # type: ignore[arg-type]
    assert db.shared_driver(other) is kept  # type: ignore[arg-type]
    db.forget_shared_driver(one)  # type: ignore[arg-type]
    db.forget_shared_driver(one)  # type: ignore[arg-type]  # nothing left: no error


def test_stopping_the_server_forgets_its_shared_driver_and_a_crash_does_not(
        monkeypatch: Any) -> None:
    """`neo4j_server.stop` drops this process's driver of that server (the store may be
    replaced or another server take the port before anything asks again); `kill`, a crash,
    keeps it: the same store comes back and the driver reconnects to it."""
    from types import SimpleNamespace

    from pipeline.servers import neo4j_server

    one, other = two_servers(monkeypatch)
    monkeypatch.setattr(neo4j_server.browser, "stop_guide", lambda _settings: None)
    monkeypatch.setattr(neo4j_server.ServerLayout, "from_settings",
                        staticmethod(lambda settings: settings))
    process = SimpleNamespace(stop=lambda _timeout: True, kill=lambda: True)
    monkeypatch.setattr(neo4j_server, "_process", lambda _layout: process)
    first, kept = db.shared_driver(one), db.shared_driver(other)  # type: ignore[arg-type]
    assert neo4j_server.kill(one)  # type: ignore[arg-type]
    assert db.shared_driver(one) is first and not first.closed  # type: ignore[arg-type]
    assert neo4j_server.stop(one)  # type: ignore[arg-type]
    assert first.closed and not kept.closed
    assert db.shared_driver(one) is not first  # type: ignore[arg-type]
    assert db.shared_driver(other) is kept  # type: ignore[arg-type]

    def refuse(_timeout: float) -> bool:
        raise TimeoutError("the JVM did not exit")

    process.stop = refuse  # a stop that fails drops the driver too: the server may be
    second = db.shared_driver(one)  # type: ignore[arg-type]  # half down by then
    with pytest.raises(TimeoutError):
        neo4j_server.stop(one)  # type: ignore[arg-type]
    assert second.closed
