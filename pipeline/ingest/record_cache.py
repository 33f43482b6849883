"""Transformed pages kept by content, so that a page read before is not parsed again.

The flow already skips the pages the graph holds (same SHA-256 as committed). This cache
serves the loads where the graph does not hold them: a fresh or wiped database, a release
synced back to an earlier one (its pages come back byte for byte), a second database fed
from the same checkout, the bulk path, and every load of the tests and the bench. There,
parse + transform is most of the CPU a load spends in Python (~2.2 s of the 1x corpus in
one process, against ~0.4 s to read a cached entry back).

What makes an entry valid, and why it can never serve stale rows:
- its key is the page's path and the SHA-256 of its bytes (rows carry the path);
- its database (the namespace) is named by everything else that decides the rows: the
  vocabularies and TRANSFORM_VERSION (`chunks.fingerprint`), the bytes of every module of
  the `pipeline` package (a change to transform code invalidates the cache even when nobody
  bumps TRANSFORM_VERSION) and Python's marshal format. Opening a namespace removes the
  others: one generation of entries is kept, of every release this code has read.
- only pages that were loaded are kept (with their warnings); a page that fails is parsed
  again each time, so its error is reported each time.

Entries live in one SQLite database per namespace (WAL mode), written by the worker
processes that made them, one transaction per chunk: ~0.1 ms a page, where a file per page
(temporary file + rename) cost ~1.2 ms on this box, as much as parsing the page. Any failure
to read or write is a miss, never an error (a damaged database is replaced when a run opens
the cache): the cache can only save time.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import re
import sqlite3
import sys
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.extract.pages import PageIssue

_ENTRY_FORMAT = 2  # bump when the layout of an entry changes
_SUFFIX = ".sqlite"
_SCHEMA = ("CREATE TABLE IF NOT EXISTS page (path TEXT NOT NULL, sha256 TEXT NOT NULL, "
           "warnings BLOB NOT NULL, encoded BLOB NOT NULL, PRIMARY KEY (path, sha256)) "
           "WITHOUT ROWID")
# the files of a namespace: its database and SQLite's companions; nothing else in the
# folder is ever removed, whatever folder the config names
_OWN_FILE = re.compile(r"[0-9a-f]{24}\.sqlite(-wal|-shm|-journal)?")
# One connection per process, thread and database, with the inode it opened: a connection
# must not be used across a fork (keyed by pid, a forked worker opens its own and never
# touches, nor closes, the one it inherited: closing would drop its own POSIX locks on the
# file), nor outlive its file (workers live as long as their pool: when a run removed or
# replaced the database, the next use opens the one now at that path).
_CONNECTIONS: dict[tuple[int, int, Path], tuple[sqlite3.Connection, int]] = {}


@dataclass(frozen=True)
class CachedPage:
    """A cache hit: the page's warnings and its rows, still encoded (`chunks.encode_page`)."""

    warnings: list[PageIssue]
    encoded: bytes


@dataclass(frozen=True)
class RecordCache:
    """One namespace's database. Plain data: it is sent to the worker processes, each of
    which opens its own connection; `put` collects entries until `flush`."""

    database: Path
    _pending: list[tuple[str, str, bytes, bytes]] = field(
        default_factory=list, compare=False, repr=False)

    @classmethod
    def open(cls, base: Path, fingerprint: str) -> RecordCache | None:
        """The namespace for this code and these vocabularies under `base`, created (a
        damaged database replaced), the other namespaces removed; None (no cache) when it
        cannot be had."""
        database = base / (namespace(fingerprint) + _SUFFIX)
        try:
            base.mkdir(parents=True, exist_ok=True)
            for other in _own_files(base):
                if not other.name.startswith(database.name):
                    _remove(other)  # another run may still use it: it keeps its open file
            try:
                _connect(database)
            except sqlite3.DatabaseError:  # not a database (any more): start it again
                _forget(database)
                for path in base.glob(database.name + "*"):
                    path.unlink()
                _connect(database)
        except (OSError, sqlite3.Error):
            return None
        return cls(database)

    def __getstate__(self) -> dict[str, object]:
        return {"database": self.database}  # never pending entries: each process its own

    def __setstate__(self, state: dict[str, object]) -> None:
        object.__setattr__(self, "database", state["database"])
        object.__setattr__(self, "_pending", [])

    def get(self, rel: str, digest: str) -> CachedPage | None:
        try:
            row = _connect(self.database).execute(
                "SELECT warnings, encoded FROM page WHERE path = ? AND sha256 = ?",
                (rel, digest)).fetchone()
            if row is None:
                return None
            warnings = [PageIssue(*w) for w in marshal.loads(row[0])]
        except (OSError, sqlite3.Error, EOFError, ValueError, TypeError):
            return None
        return CachedPage(warnings, row[1])

    def put(self, rel: str, digest: str, warnings: list[PageIssue], encoded: bytes) -> None:
        kept = marshal.dumps([(w.file, w.field, w.message, w.severity) for w in warnings])
        self._pending.append((rel, digest, kept, encoded))

    def flush(self) -> None:
        """Write the entries `put` since the last flush, in one transaction."""
        pending = list(self._pending)
        self._pending.clear()
        if not pending:
            return
        try:
            connection = _connect(self.database)
            with connection:
                connection.executemany("INSERT OR REPLACE INTO page VALUES (?, ?, ?, ?)",
                                       pending)
        except (OSError, sqlite3.Error):
            pass  # full disk, database removed by a newer run: these pages are not kept

    def entries(self) -> int:
        return int(_connect(self.database).execute("SELECT count(*) FROM page").fetchone()[0])


def _connect(database: Path) -> sqlite3.Connection:
    key = (os.getpid(), threading.get_ident(), database)
    held = _CONNECTIONS.get(key)
    if held is not None:
        if held[1] == _inode(database):
            return held[0]
        del _CONNECTIONS[key]
        held[0].close()
    connection = sqlite3.connect(database, timeout=60, isolation_level=None,
                                 check_same_thread=False)
    try:
        connection.execute("PRAGMA journal_mode=WAL")  # readers never wait for a writer
        connection.execute("PRAGMA synchronous=NORMAL")  # a lost last chunk: a miss
        connection.execute(_SCHEMA)
    except sqlite3.Error:
        connection.close()
        raise
    connection.isolation_level = ""  # `with connection:` commits a transaction again
    _CONNECTIONS[key] = (connection, _inode(database))
    return connection


def _inode(path: Path) -> int:
    try:
        return path.stat().st_ino
    except OSError:
        return -1


def _forget(database: Path) -> None:
    """Close this process's connections to `database`."""
    for key in [k for k in _CONNECTIONS if k[0] == os.getpid() and k[2] == database]:
        _CONNECTIONS.pop(key)[0].close()


def _own_files(base: Path) -> list[Path]:
    return [p for p in base.iterdir() if _OWN_FILE.fullmatch(p.name) and p.is_file()]


def _remove(path: Path) -> None:
    _forget(path)
    path.unlink(missing_ok=True)


def namespace(fingerprint: str) -> str:
    """What, besides a page's path and bytes, decides its rows (see the module docstring)."""
    digest = hashlib.sha256(fingerprint.encode())
    digest.update(f"{sys.version_info[:2]} marshal {marshal.version} entry {_ENTRY_FORMAT}"
                  .encode())
    digest.update(code_digest().encode())
    return digest.hexdigest()[:24]


@lru_cache(maxsize=1)
def code_digest() -> str:
    """SHA-256 over the source of every module of the `pipeline` package (~0.4 MB: ms)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def clear(base: Path) -> None:
    """Remove every namespace under `base`, then the folder if nothing else is in it."""
    if not base.is_dir():
        return
    for path in _own_files(base):
        _remove(path)
    with contextlib.suppress(OSError):
        base.rmdir()
