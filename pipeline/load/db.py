"""Connections to Neo4j: one driver per command, errors turned into one-line messages."""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import neo4j
from neo4j import (
    Driver,
    EagerResult,
    GraphDatabase,
    ManagedTransaction,
    RoutingControl,
)
from neo4j.api import BookmarkManager
from neo4j.exceptions import (
    AuthError,
    ClientError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    TransientError,
)

from pipeline.errors import (
    Neo4jAuthFailed,
    Neo4jUnavailable,
    QueryOutOfMemory,
    ReadOnlyViolation,
)
from pipeline.load import cypher_files, schema_state
from pipeline.load.params import for_driver

if TYPE_CHECKING:  # not imported at run time: `chickgraph query` passes a lighter object
    from pipeline.settings import Settings  # (pipeline.cli.connection) and skips pydantic


def make_driver(settings: Settings) -> Driver:
    """A driver for the configured server; it does not connect until first used."""
    return GraphDatabase.driver(
        settings.neo4j.effective_uri,
        auth=(settings.neo4j.username, settings.neo4j_password()),
        connection_timeout=settings.neo4j.connect_timeout_s,
        connection_acquisition_timeout=max(settings.neo4j.connect_timeout_s * 2, 10),
        max_transaction_retry_time=30,
        user_agent="chickgraph",
        notifications_min_severity="OFF",
    )


@contextmanager
def connect(settings: Settings) -> Iterator[Driver]:
    """A verified driver; unreachable or unauthorised servers raise typed errors."""
    driver = make_driver(settings)
    try:
        verify(driver, settings)
        yield driver
    finally:
        driver.close()


# after dbms.security.auth_max_failed_attempts (3) wrong passwords, for auth_lock_time (5 s)
AUTH_RATE_LIMIT = "Neo.ClientError.Security.AuthenticationRateLimit"


def verify(driver: Driver, settings: Settings) -> None:
    uri = settings.neo4j.effective_uri
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        raise Neo4jAuthFailed(
            f"Neo4j at {uri} rejected user {settings.neo4j.username!r}: check NEO4J_PASSWORD"
        ) from exc
    except ClientError as exc:
        if exc.code != AUTH_RATE_LIMIT:
            raise
        raise Neo4jAuthFailed(
            f"Neo4j at {uri} rejected user {settings.neo4j.username!r} too often and refuses "
            "logins for a few seconds: check NEO4J_PASSWORD, then try again") from exc
    except (ServiceUnavailable, DriverError, OSError) as exc:
        raise unavailable(settings, exc) from exc


def unavailable(settings: Settings, exc: BaseException) -> Neo4jUnavailable:
    """The one-line error for a server that cannot be reached (never, or no longer)."""
    uri = settings.neo4j.effective_uri
    hint = "" if settings.neo4j.external else " (start it with `chickgraph neo4j start`)"
    # the driver's message runs over lines ("Couldn't connect to ... (resolved to ...):" then
    # the reason): the lines joined, not the first alone, which ended on a colon
    reason = " ".join(str(exc).split()) or type(exc).__name__
    return Neo4jUnavailable(f"Neo4j is not reachable at {uri}{hint}: {reason}")


def server_version(settings: Settings) -> str:
    """The server's agent string, e.g. `Neo4j/5.26.30`."""
    with connect(settings) as driver:
        return driver.get_server_info().agent


BOOKMARK_TIMEOUT = "Neo.TransientError.Transaction.BookmarkTimeout"


class Bookmarks(BookmarkManager):
    """The bookmarks one driver chains its queries with (read-your-writes, also through a
    cluster's followers), which it can forget.

    A bookmark names a transaction id of the database. When the database is replaced by an
    older one (`chickgraph neo4j load`, a bulk import, a restore by hand), every id the driver
    has seen is ahead of the new store, and a server asked to wait for it answers
    BookmarkTimeout, forever: a long-lived driver (the tests' session driver, a notebook's, a
    served flow's `shared_driver`) could never read again. So `run_managed` forgets them on that
    error and the driver's retry runs without them; the next commit starts the chain again.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()

    def update_bookmarks(self, previous_bookmarks: Collection[str],
                         new_bookmarks: Collection[str]) -> None:
        if not new_bookmarks:
            return
        with self._lock:
            self._values.difference_update(previous_bookmarks)
            self._values.update(new_bookmarks)

    def get_bookmarks(self) -> Collection[str]:
        with self._lock:
            return set(self._values)

    def forget(self) -> None:
        with self._lock:
            self._values.clear()


_BOOKMARKS: weakref.WeakKeyDictionary[Driver, Bookmarks] = weakref.WeakKeyDictionary()
_BOOKMARKS_LOCK = threading.Lock()


def bookmarks(driver: Driver) -> Bookmarks:
    """The driver's bookmarks for `run_managed` (one manager per driver)."""
    with _BOOKMARKS_LOCK:
        manager = _BOOKMARKS.get(driver)
        if manager is None:
            manager = _BOOKMARKS[driver] = Bookmarks()
        return manager


def _eager(tx: ManagedTransaction, query: str, params: dict[str, Any],
           manager: Bookmarks, memory_final: bool = False) -> EagerResult:
    try:
        return tx.run(query, for_driver(params)).to_eager_result()  # type: ignore[arg-type]
    except TransientError as exc:
        if exc.code == BOOKMARK_TIMEOUT:
            manager.forget()  # the store is older than our bookmarks: see Bookmarks
        if memory_final and exc.code == MEMORY_POOL_FULL:
            raise out_of_memory(exc) from exc
        raise


MEMORY_POOL_FULL = "Neo.TransientError.General.MemoryPoolOutOfMemoryError"


def out_of_memory(exc: Neo4jError) -> QueryOutOfMemory:
    """Neo4j calls a full transaction memory pool transient, so the driver's managed
    transaction retried such a query for over half a minute (5 attempts of 5 s each for one
    that needs more than the whole pool) before the user saw anything. A query of the user's
    that needs that much needs it again on every attempt: raised as an error of ours, which
    the driver does not retry, saying what to change."""
    server = " ".join((exc.message or str(exc)).split())
    return QueryOutOfMemory(
        f"the query ran out of the server's transaction memory ({server}); not retried, as "
        "it would need as much again: ask for fewer rows (a smaller limit), run it again "
        "once other work on the server (an ingest) is done, or raise "
        "dbms.memory.transaction.total.max in neo4j.conf")


def run_managed(driver: Driver, settings: Settings, query: str,
                params: dict[str, Any] | None = None,
                routing: RoutingControl = RoutingControl.WRITE,
                memory_final: bool = False) -> EagerResult:
    """`driver.execute_query` (a managed, retried transaction, chained by bookmarks) that
    recovers when the database was replaced by an older one (see Bookmarks).

    `memory_final`: a full transaction memory pool is reported at once (`out_of_memory`)
    instead of retried; for the user's queries (named or raw), which can need more than the
    whole pool. The pipeline's own small queries keep the retry: for them a full pool means
    that other transactions filled it."""
    manager = bookmarks(driver)
    params = params or {}
    for attempt in (1, 2):
        with driver.session(database=settings.neo4j.database,
                            bookmark_manager=manager) as session:
            try:
                if routing == RoutingControl.READ:
                    return session.execute_read(_eager, query, params, manager, memory_final)
                return session.execute_write(_eager, query, params, manager, memory_final)
            except TransientError as exc:
                # raised outside the transaction function (e.g. at BEGIN): forget, once more
                if exc.code != BOOKMARK_TIMEOUT or attempt == 2:
                    raise
                manager.forget()
    raise AssertionError("unreachable")


def run_read(
    driver: Driver, settings: Settings, query: str, params: dict[str, Any] | None = None,
    memory_final: bool = False,
) -> list[dict[str, Any]]:
    """Run a query in a read transaction: the server refuses writes, not string matching."""
    try:
        records, _, keys = run_managed(driver, settings, query, params, RoutingControl.READ,
                                       memory_final)
    except ClientError as exc:
        if _is_write_refusal(exc):
            raise ReadOnlyViolation(
                "this query writes to the database; re-run with --write to allow it"
            ) from exc
        raise
    return [_row(keys, record) for record in records]


def stream_read(
    driver: Driver, settings: Settings, query: str, fetch_size: int = 10_000
) -> Iterator[tuple[Any, ...]]:
    """Rows of a large read as plain tuples, streamed: for whole-graph reads (dumps) where
    building a dict per record in `run_read` cost more client time than the server took."""
    with driver.session(database=settings.neo4j.database,
                        default_access_mode=neo4j.READ_ACCESS, fetch_size=fetch_size) as session:
        for record in session.run(neo4j.Query(query)):  # type: ignore[arg-type]
            yield tuple(record)


_SCALARS = frozenset((str, int, float, bool, type(None)))


def _row(keys: list[str], record: neo4j.Record) -> dict[str, Any]:
    """`record.data()`, without its recursive per-value export when every value is a scalar
    or a list of scalars (what the named queries return): the export checks each value and
    list item against the graph and collection types and was a quarter of the client time of
    a 1,500-row answer. Anything else (nodes, maps, temporal values...) takes `data()`."""
    for value in record:
        kind = type(value)
        if kind not in _SCALARS and not (
            kind is list and all(type(item) in _SCALARS for item in value)
        ):
            return record.data()
    return dict(zip(keys, record, strict=True))


def run_write(
    driver: Driver, settings: Settings, query: str, params: dict[str, Any] | None = None,
    memory_final: bool = False,
) -> list[dict[str, Any]]:
    records, _, _ = run_managed(driver, settings, query, params, memory_final=memory_final)
    return [record.data() for record in records]


def _is_write_refusal(exc: Neo4jError) -> bool:
    code = exc.code or ""
    return "AccessMode" in code or "ForbiddenDueToTransactionType" in code or (
        "write" in (exc.message or "").lower() and "read" in (exc.message or "").lower()
    )


def apply_schema(driver: Driver, settings: Settings, force: bool = False) -> int:
    """Create constraints and indexes (IF NOT EXISTS, so idempotent); returns statements run.

    When one `SHOW INDEXES` finds every index and constraint of the file in place (and none
    it drops), nothing is run and 0 is returned, unless `force` (`chickgraph schema apply`)."""
    statements = cypher_files.statements("schema")
    with driver.session(database=settings.neo4j.database) as session:
        expected = None if force else schema_state.names(statements)
        if expected is not None and schema_state.in_place(expected, _indexes(session)):
            return 0
        for statement in statements:
            session.run(neo4j.Query(statement)).consume()  # type: ignore[arg-type]
        awaited = neo4j.Query(cypher_files.load("admin/await_indexes"))  # type: ignore[arg-type]
        session.run(awaited).consume()
    return len(statements)


def _indexes(session: neo4j.Session) -> list[dict[str, Any]]:
    """The server's indexes (cypher/admin/schema_indexes.cypher); none when the user may not
    list them, so that the schema statements run (and succeed or fail on their own terms)."""
    try:
        return session.run(cypher_files.load("admin/schema_indexes")).data()
    except ClientError:
        return []


_SHARED: dict[str, Driver] = {}
_SHARED_LOCK = threading.Lock()


def shared_driver(settings: Settings) -> Driver:
    """One verified driver per process and server, reused by every task (it is thread-safe).

    Tasks create it themselves instead of receiving it as an argument: a driver cannot be
    hashed or serialised by Prefect. Tasks on the runner's threads may ask at the same moment:
    the lock keeps them to one driver (and one connection pool).
    """
    key = _shared_key(settings)
    with _SHARED_LOCK:
        driver = _SHARED.get(key)
        if driver is None:
            driver = make_driver(settings)
            verify(driver, settings)
            _SHARED[key] = driver
            atexit.register(driver.close)
        return driver


def shared_drivers() -> list[Driver]:
    """The process's shared drivers: after a server restart each still pools connections to
    the dead server (tests ask each once, so that the next reader does not fail)."""
    with _SHARED_LOCK:
        return list(_SHARED.values())


def forget_shared_driver(settings: Settings) -> None:
    """Close and drop the shared driver of `settings`' server; `neo4j_server.stop` calls it:
    the store may be replaced before the next start (an import rewrites the transaction
    history, so its bookmarks are never reached), or another server take the port (a test's
    second server)."""
    with _SHARED_LOCK:
        stale = _SHARED.pop(_shared_key(settings), None)
    if stale is not None:
        stale.close()


def _shared_key(settings: Settings) -> str:
    return f"{settings.neo4j.effective_uri}|{settings.neo4j.username}"


# Operators a read transaction still lets through but that reach outside the graph: LOAD CSV
# fetches URLs or files (SSRF), TERMINATE TRANSACTIONS kills other sessions' work.
SIDE_EFFECT_OPERATORS = ("LoadCSV", "TerminateTransactions")


def _operators(plan: Any) -> set[str]:
    found = {plan.get("operatorType", "").split("@")[0]}
    for child in plan.get("children", []):
        found |= _operators(child)
    return found


def refuse_side_effects(
    driver: Driver, settings: Settings, query: str, params: dict[str, Any] | None = None
) -> None:
    """For `chickgraph cypher` without --write: EXPLAIN first, refuse plans that leave the graph."""
    try:
        _, summary, _ = driver.execute_query(
            neo4j.Query("EXPLAIN " + query),  # type: ignore[arg-type] - the user's own query
            params or {}, database_=settings.neo4j.database, routing_=RoutingControl.READ,
            bookmark_manager_=None)  # a plan needs no causal chain (nor stale bookmarks)
    except ClientError:
        return  # not explainable (e.g. a schema or admin command): the read path decides
    plan = summary.plan or {}
    bad = sorted(set(SIDE_EFFECT_OPERATORS) & _operators(plan))
    if bad:
        raise ReadOnlyViolation(
            f"this query uses {', '.join(bad)}, which reaches outside the graph; "
            "re-run with --write to allow it")
