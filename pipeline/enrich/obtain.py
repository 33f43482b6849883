"""Obtain an annotation database into the state folder: the system's package tools, or a file.

`apt-get download` fetches the Debian package (no root needed to unpack, nothing installed
system-wide) and `dpkg-deb -x` unpacks it; only the SQLite file is kept, with a manifest
(`source.json`) recording the package version, the source date read from the database and a
SHA-256 fingerprint. A copy obtained elsewhere comes in with `--from FILE` (the .deb or the
.sqlite itself). The cache is reused until `--refresh` (or `--from`) replaces it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pipeline.enrich.table import Database
from pipeline.errors import EnrichmentError

MANIFEST = "source.json"


class LocalDatabase(BaseModel):
    """An obtained database: where it is and what it is (the manifest)."""

    model_config = ConfigDict(frozen=True)

    key: str
    path: Path
    origin: str  # "apt-get download r-bioc-org.hs.eg.db" or "--from /path/file"
    package_version: str | None
    source_date: str
    source_name: str | None
    sha256: str
    size: int
    mtime_ns: int


def folder(database: Database, state_dir: Path) -> Path:
    return state_dir / database.key


def cached(database: Database, state_dir: Path) -> LocalDatabase | None:
    """The obtained copy, if its manifest is there and still describes the file."""
    manifest = folder(database, state_dir) / MANIFEST
    try:
        local = LocalDatabase.model_validate_json(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    try:
        stat = local.path.stat()
    except OSError:
        return None
    if (stat.st_size, stat.st_mtime_ns) != (local.size, local.mtime_ns):
        return None  # changed behind our back: obtain again rather than trust the manifest
    return local


def obtain(
    database: Database, state_dir: Path, from_file: Path | None = None, refresh: bool = False
) -> LocalDatabase:
    """The database, from the cache, `from_file`, or `apt-get download` (in that order)."""
    if from_file is None and not refresh:
        local = cached(database, state_dir)
        if local is not None:
            return local
    target = folder(database, state_dir)
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="obtain-", dir=target) as tmp:
        work = Path(tmp)
        if from_file is None:
            deb = _download(database, work)
            origin = f"apt-get download {database.debian_package}"
        elif not from_file.is_file():
            raise EnrichmentError(f"{from_file}: no such file")
        elif from_file.suffix == ".deb":
            deb, origin = from_file.resolve(), f"--from {from_file.resolve()}"
        else:
            deb, origin = None, f"--from {from_file.resolve()}"
        if deb is not None:
            sqlite_file = _unpack(database, deb, work)
            version = _deb_version(deb)
        else:
            sqlite_file = work / database.file_name
            shutil.copyfile(from_file, sqlite_file)  # type: ignore[arg-type]
            version = None
        source_date, source_name = check(database, sqlite_file, shown=from_file or deb)
        final = target / database.file_name
        os.replace(sqlite_file, final)
    stat = final.stat()
    local = LocalDatabase(
        key=database.key, path=final, origin=origin, package_version=version,
        source_date=source_date, source_name=source_name, sha256=_sha256(final),
        size=stat.st_size, mtime_ns=stat.st_mtime_ns)
    (target / MANIFEST).write_text(local.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return local


def _need(tool: str, database: Database) -> str:
    path = shutil.which(tool)
    if path is None:
        raise EnrichmentError(
            f"{tool} not found: cannot download {database.debian_package} here; get it "
            f"(the .deb, or {database.file_name} from it) on a Debian machine and run "
            f"`chickgraph enrich {database.species} --from FILE`")
    return path


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("E:")]
    return (errors or lines or ["no output"])[-1]


def _download(database: Database, work: Path) -> Path:
    apt_get = _need("apt-get", database)
    _need("dpkg-deb", database)
    result = subprocess.run(  # fixed argv; the package name is checked by the table
        [apt_get, "download", "-q", database.debian_package], cwd=work,
        capture_output=True, text=True, check=False)
    debs = sorted(work.glob("*.deb"))
    if result.returncode != 0 or not debs:
        raise EnrichmentError(
            f"apt-get download {database.debian_package} failed: "
            f"{_last_line(result.stderr + result.stdout)} (run `apt-get update` first, "
            f"or get the package elsewhere and use --from FILE)")
    return debs[0]


def _unpack(database: Database, deb: Path, work: Path) -> Path:
    dpkg_deb = _need("dpkg-deb", database)
    tree = work / "tree"
    result = subprocess.run(  # fixed argv
        [dpkg_deb, "-x", str(deb), str(tree)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise EnrichmentError(f"{deb}: dpkg-deb -x failed: {_last_line(result.stderr)}")
    inside = tree / database.file
    if not inside.is_file():
        raise EnrichmentError(f"{deb}: the package has no {database.file} "
                              f"(enrichment table entry {database.key}.file)")
    moved = work / database.file_name
    os.replace(inside, moved)
    shutil.rmtree(tree)
    return moved


def _deb_version(deb: Path) -> str | None:
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        return None
    result = subprocess.run(  # fixed argv
        [dpkg_deb, "-f", str(deb), "Version"], capture_output=True, text=True, check=False)
    return result.stdout.strip() or None


def connect(path: Path) -> sqlite3.Connection:
    """Read-only: the cached file is never modified (its fingerprint must stay valid)."""
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def _one(conn: sqlite3.Connection, sql: str) -> str | None:
    row = conn.execute(sql).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def check(database: Database, path: Path, shown: Path | None = None) -> tuple[str, str | None]:
    """Open the file as the entry's database; returns (source date, source name)."""
    label = shown or path
    try:
        with closing(connect(path)) as conn:
            if database.taxon_check is not None:
                taxon = _one(conn, database.taxon_check)
                if taxon != str(database.taxon_id):
                    raise EnrichmentError(
                        f"{label}: taxon {taxon} (taxon_check), expected {database.taxon_id} "
                        f"for {database.key}")
            source_date = _one(conn, database.source_date)
            name = _one(conn, database.source_name) if database.source_name else None
    except sqlite3.DatabaseError as exc:
        raise EnrichmentError(f"{label}: not a usable {database.key} database: {exc}") from exc
    if not source_date:
        raise EnrichmentError(f"{label}: source_date: the statement returned nothing")
    return source_date, name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def describe(local: LocalDatabase) -> dict[str, object]:
    """The manifest as plain data (for `--json`)."""
    return json.loads(local.model_dump_json())
