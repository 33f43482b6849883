"""One ingestion at a time per database: a lock node in Neo4j itself.

The lock lives where the data is, so it also holds between machines. A holder that died
(same host, pid gone) or stopped sending heartbeats is taken over, so a run killed with
SIGKILL never blocks the next one.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import psutil
from neo4j import Driver, ManagedTransaction

from pipeline.errors import IngestLocked
from pipeline.load import cypher_files, db
from pipeline.load.params import timestamp
from pipeline.settings import Settings

LOCK_NAME = "ingest"
STALE_AFTER = timedelta(minutes=10)


def holder_is_dead(holder: dict[str, Any], host: str) -> bool:
    """A holder on this host whose process is gone, or one silent for too long."""
    if holder.get("run_id") is None:
        return True
    pid = holder.get("pid")
    if holder.get("host") == host and pid is not None and not psutil.pid_exists(int(pid)):
        return True
    beat = holder.get("heartbeat_at")
    if beat is None:
        return True
    return datetime.now(UTC) - datetime.fromisoformat(beat) > STALE_AFTER


def _try_acquire(tx: ManagedTransaction, run_id: str, source: str) -> dict[str, Any] | None:
    """None when acquired; otherwise the live holder."""
    host = socket.gethostname()
    record = tx.run(cypher_files.load("load/lock_claim"), name=LOCK_NAME,  # type: ignore[arg-type]
                    run_id=run_id).single()
    holder = dict(record) if record else {}
    if holder.get("run_id") not in (None, run_id) and not holder_is_dead(holder, host):
        return holder
    tx.run(cypher_files.load("load/lock_take"), name=LOCK_NAME, run_id=run_id,  # type: ignore[arg-type]
           pid=os.getpid(), host=host, source=source, now=timestamp()).consume()
    return None


def acquire(
    driver: Driver, settings: Settings, run_id: str, source: str, wait_s: float = 0,
    echo: Callable[[str], None] | None = None,
) -> None:
    """Take the lock, waiting up to `wait_s`; raise IngestLocked naming the holder otherwise."""
    deadline = time.monotonic() + wait_s
    announced = False
    while True:
        with driver.session(database=settings.neo4j.database) as session:
            holder = session.execute_write(_try_acquire, run_id, source)
        if holder is None:
            return
        message = (f"another ingest run holds the lock on this database (run {holder['run_id']}, "
                   f"pid {holder.get('pid')} on {holder.get('host')}, source "
                   f"{holder.get('source')}, since {holder.get('acquired_at')})")
        if time.monotonic() >= deadline:
            raise IngestLocked(message + "; wait for it to finish or pass --wait SECONDS")
        if echo is not None and not announced:
            echo(message + "; waiting")
            announced = True
        time.sleep(min(2.0, max(0.1, deadline - time.monotonic())))


# The statements of `mark_chunk`, in every chunk transaction (pipeline/load/writer.py: CHUNK_FILES)
CHUNK_FILES = ("load/lock_gc_pending", "load/lock_heartbeat")


def mark_chunk(tx: ManagedTransaction, run_id: str) -> None:
    """In the caller's chunk transaction: garbage collection pending (`set_gc_pending`'s
    statement) and the holder's heartbeat. They commit with the chunk or not at all, and each
    chunk is one transaction instead of three."""
    tx.run(cypher_files.load("load/lock_gc_pending"), name=LOCK_NAME,  # type: ignore[arg-type]
           pending=True).consume()
    tx.run(cypher_files.load("load/lock_heartbeat"), name=LOCK_NAME,  # type: ignore[arg-type]
           run_id=run_id, now=timestamp()).consume()


def release(driver: Driver, settings: Settings, run_id: str) -> None:
    db.run_managed(driver, settings, cypher_files.load("load/lock_release"),
                   {"name": LOCK_NAME, "run_id": run_id})


def set_gc_pending(driver: Driver, settings: Settings, pending: bool) -> None:
    db.run_managed(driver, settings, cypher_files.load("load/lock_gc_pending"),
                   {"name": LOCK_NAME, "pending": pending})


def gc_pending(driver: Driver, settings: Settings) -> bool:
    records, _, _ = db.run_managed(driver, settings, cypher_files.load("load/lock_gc_state"),
                                   {"name": LOCK_NAME})
    return bool(records and records[0]["pending"])
