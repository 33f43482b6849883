"""Connections to Neo4j: one driver per command, errors turned into one-line messages."""

from __future__ import annotations

import atexit
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import neo4j
from neo4j import Driver, GraphDatabase, RoutingControl
from neo4j.exceptions import AuthError, ClientError, DriverError, Neo4jError, ServiceUnavailable

from pipeline.errors import Neo4jAuthFailed, Neo4jUnavailable, ReadOnlyViolation
from pipeline.load import cypher_files
from pipeline.settings import Settings


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


def verify(driver: Driver, settings: Settings) -> None:
    uri = settings.neo4j.effective_uri
    try:
        driver.verify_connectivity()
    except AuthError as exc:
        raise Neo4jAuthFailed(
            f"Neo4j at {uri} rejected user {settings.neo4j.username!r}: check NEO4J_PASSWORD"
        ) from exc
    except (ServiceUnavailable, DriverError, OSError) as exc:
        raise unavailable(settings, exc) from exc


def unavailable(settings: Settings, exc: BaseException) -> Neo4jUnavailable:
    """The one-line error for a server that cannot be reached (never, or no longer)."""
    uri = settings.neo4j.effective_uri
    hint = "" if settings.neo4j.external else " (start it with `chickgraph neo4j start`)"
    reason = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Neo4jUnavailable(f"Neo4j is not reachable at {uri}{hint}: {reason}")


def server_version(settings: Settings) -> str:
    """The server's agent string, e.g. `Neo4j/5.26.30`."""
    with connect(settings) as driver:
        return driver.get_server_info().agent


def run_read(
    driver: Driver, settings: Settings, query: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run a query in a read transaction: the server refuses writes, not string matching."""
    try:
        records, _, keys = driver.execute_query(
            neo4j.Query(query),  # type: ignore[arg-type]
            params or {},
            database_=settings.neo4j.database,
            routing_=RoutingControl.READ,
        )
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
    driver: Driver, settings: Settings, query: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    records, _, _ = driver.execute_query(
        neo4j.Query(query),  # type: ignore[arg-type]
        params or {},
        database_=settings.neo4j.database,
        routing_=RoutingControl.WRITE,
    )
    return [record.data() for record in records]


def _is_write_refusal(exc: Neo4jError) -> bool:
    code = exc.code or ""
    return "AccessMode" in code or "ForbiddenDueToTransactionType" in code or (
        "write" in (exc.message or "").lower() and "read" in (exc.message or "").lower()
    )


def apply_schema(driver: Driver, settings: Settings) -> int:
    """Create constraints and indexes (IF NOT EXISTS, so idempotent); returns statements run."""
    statements = cypher_files.statements("schema")
    with driver.session(database=settings.neo4j.database) as session:
        for statement in statements:
            session.run(neo4j.Query(statement)).consume()  # type: ignore[arg-type]
        session.run("CALL db.awaitIndexes(300)").consume()
    return len(statements)


_SHARED: dict[str, Driver] = {}


def shared_driver(settings: Settings) -> Driver:
    """One verified driver per process and server, reused by every task (it is thread-safe).

    Tasks create it themselves instead of receiving it as an argument: a driver cannot be
    hashed or serialised by Prefect.
    """
    key = f"{settings.neo4j.effective_uri}|{settings.neo4j.username}"
    driver = _SHARED.get(key)
    if driver is None:
        driver = make_driver(settings)
        verify(driver, settings)
        _SHARED[key] = driver
        atexit.register(driver.close)
    return driver


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
            params or {}, database_=settings.neo4j.database, routing_=RoutingControl.READ)
    except ClientError:
        return  # not explainable (e.g. a schema or admin command): the read path decides
    plan = summary.plan or {}
    bad = sorted(set(SIDE_EFFECT_OPERATORS) & _operators(plan))
    if bad:
        raise ReadOnlyViolation(
            f"this query uses {', '.join(bad)}, which reaches outside the graph; "
            "re-run with --write to allow it")
