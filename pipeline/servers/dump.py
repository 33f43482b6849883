"""Ship a built graph: `neo4j-admin database dump/load` wrapped with a manifest and guards.

The artefact is an uncompressed tar holding `manifest.json` (first) and `<database>.dump`
(Neo4j's own, already compressed). The manifest names the ChickGraph and Neo4j versions, the
last completed ingest run, node/relationship counts and the vocabulary fingerprint, plus the
size and SHA-256 of the .dump, so a truncated or foreign file is refused before anything is
touched.

Neo4j Community dumps and loads only with the whole DBMS stopped. So:
- dump stops the local server, dumps into a temporary folder beside FILE, writes FILE under
  a temporary name and renames it into place (a failed dump never leaves a FILE), and starts
  the server again if it was running;
- load verifies the artefact, loads it into a *staging* data folder (a second conf under the
  same home; the live server keeps serving meanwhile), then stops the server, swaps the
  database folders by rename, starts it and checks the counts against the manifest. Any
  failure before or after the swap puts the previous database folders back, so the previous
  database is intact and the server startable.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline.errors import ChickGraphError
from pipeline.load import cypher_files, db, lock
from pipeline.servers import neo4j_server
from pipeline.servers.neo4j_server import ServerLayout, admin_cmd
from pipeline.settings import Settings

FORMAT = "chickgraph-dump/1"
MANIFEST = "manifest.json"
Echo = Callable[[str], None]


class DumpError(ChickGraphError):
    """A dump or load that could not be done; the previous database is left as it was."""


class LastRun(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    run_id: str | None = None
    source: str | None = None
    commit: str | None = None
    finished_at: str | None = None


class Manifest(BaseModel):
    """What a dump holds; checked field by field before and after a load."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal["chickgraph-dump/1"]
    chickgraph_version: str
    neo4j_version: str
    database: str
    created_at: str
    last_run: LastRun | None
    vocabulary_fingerprint: str | None
    nodes: int
    relationships: int
    labels: dict[str, int]
    types: dict[str, int]
    dump_file: str
    dump_bytes: int
    dump_sha256: str


def chickgraph_version() -> str:
    return metadata.version("chickgraph")


# --------------------------------------------------------------------------- graph facts


@dataclass(frozen=True)
class GraphFacts:
    neo4j_version: str
    last_run: LastRun | None
    vocabulary_fingerprint: str | None
    nodes: int
    relationships: int
    labels: dict[str, int]
    types: dict[str, int]


def graph_facts(settings: Settings) -> GraphFacts:
    """Counts, last run and fingerprint of the running server's database."""
    with db.connect(settings) as driver:
        version = driver.get_server_info().agent
        totals = db.run_read(driver, settings, cypher_files.load("admin/dump_counts"))[0]
        runs = db.run_read(driver, settings, cypher_files.load("admin/last_completed_run"))
        meta = db.run_read(driver, settings, cypher_files.load("load/meta_get"))
        labels = db.run_read(driver, settings, cypher_files.load("stats/node_counts"))
        types = db.run_read(driver, settings, cypher_files.load("stats/relationship_counts"))
    return GraphFacts(
        neo4j_version=version,
        last_run=LastRun(**runs[0]) if runs else None,
        vocabulary_fingerprint=meta[0]["fingerprint"] if meta else None,
        nodes=totals["nodes"], relationships=totals["relationships"],
        labels={r["label"]: r["count"] for r in labels},
        types={r["type"]: r["count"] for r in types},
    )


def _refuse_during_ingest(settings: Settings) -> None:
    """A dump taken while a run holds the lock would freeze a half-synced graph."""
    import socket

    with db.connect(settings) as driver:
        rows = db.run_read(driver, settings, cypher_files.load("admin/lock_holder"),
                           {"name": lock.LOCK_NAME})
    holder = rows[0] if rows else {}
    if holder.get("run_id") and not lock.holder_is_dead(holder, socket.gethostname()):
        raise DumpError(f"ingest run {holder['run_id']} (pid {holder.get('pid')}) is loading "
                        f"{holder.get('source')}; dump after it finishes")


# --------------------------------------------------------------------------- neo4j-admin


def admin_pid_file(layout: ServerLayout) -> Path:
    """Where the running neo4j-admin's pid is kept (fault tests kill it from there)."""
    return layout.run / "chickgraph-admin.pid"


def _admin(settings: Settings, layout: ServerLayout, conf_dir: Path, *args: str) -> None:
    """Run neo4j-admin (AdminTool) with the given conf; one-line error on failure."""
    env = dict(os.environ, NEO4J_HOME=str(layout.home), NEO4J_CONF=str(conf_dir))
    # --verbose: without it a failure prints only "Run with '--verbose' ...", never the cause
    cmd = admin_cmd(settings, layout, *args, "--verbose")
    pid_file = admin_pid_file(layout)
    pid_file.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env, cwd=layout.home, stdin=subprocess.DEVNULL)
    pid_file.write_text(str(proc.pid), encoding="utf-8")
    try:
        output, _ = proc.communicate()
    finally:
        pid_file.unlink(missing_ok=True)
    if proc.returncode != 0:
        raise DumpError(f"neo4j-admin {' '.join(args[:2])} failed "
                        f"({_exit_reason(proc.returncode)}): {_last_line(output)}")


def _exit_reason(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


def _last_line(output: str) -> str:
    """The line that names the cause: a full disk first, else the last exception or error
    (the stack frames of --verbose are skipped)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()
             and not line.strip().startswith("at ")]
    for line in lines:
        if "No space left" in line:
            return line[:300]
    for line in reversed(lines):
        if "Exception" in line or "rror" in line:
            return line[:300]
    return lines[-1][:300] if lines else "(no output)"


@contextlib.contextmanager
def _server_stopped(settings: Settings, echo: Echo) -> Iterator[bool]:
    """Stop the local server for the block; start it again afterwards if it was running,
    whatever happened inside (yields whether it was running)."""
    was_running = neo4j_server.running_pid(settings) is not None
    if was_running:
        echo("Stopping Neo4j (Community dumps and loads only with the DBMS stopped) ...")
        neo4j_server.stop(settings)
    try:
        yield was_running
    finally:
        if was_running:
            neo4j_server.start(settings, echo)


def _local_layout(settings: Settings) -> ServerLayout:
    if settings.neo4j.external:
        raise DumpError(f"NEO4J_URI is set ({settings.neo4j.uri}): dump and load work on the "
                        "local server only (use neo4j-admin on that server's machine)")
    return neo4j_server.install(settings)


# --------------------------------------------------------------------------- dump


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def dump(settings: Settings, out: Path, echo: Echo = print) -> Manifest:
    """Dump the local database into `out` (a tar: manifest.json + <db>.dump)."""
    layout = _local_layout(settings)
    database = settings.neo4j.database
    out = out.resolve()
    if out.is_dir():
        raise DumpError(f"{out}: is a folder; give a file name, e.g. {out / 'chickgraph.tar'}")
    if not out.parent.is_dir():
        raise DumpError(f"{out.parent}: no such folder")
    was_running = neo4j_server.running_pid(settings) is not None
    neo4j_server.start(settings, echo)  # the facts come from the running server
    _refuse_during_ingest(settings)
    facts = graph_facts(settings)
    if not was_running:  # left as it was found: stopped (a 4 GB heap is not left behind)
        echo("Stopping Neo4j again ...")
        neo4j_server.stop(settings)
    work = out.parent / f".{out.name}.work"
    partial = out.parent / f".{out.name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    try:
        with _server_stopped(settings, echo):
            work.mkdir()
            echo(f"Dumping database {database} ...")
            _admin(settings, layout, layout.conf_dir, "database", "dump", database,
                   f"--to-path={work}", "--overwrite-destination=true")
        archive = work / f"{database}.dump"
        manifest = Manifest(
            format=FORMAT, chickgraph_version=chickgraph_version(),
            neo4j_version=facts.neo4j_version, database=database,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            last_run=facts.last_run, vocabulary_fingerprint=facts.vocabulary_fingerprint,
            nodes=facts.nodes, relationships=facts.relationships,
            labels=facts.labels, types=facts.types,
            dump_file=archive.name, dump_bytes=archive.stat().st_size,
            dump_sha256=_sha256(archive),
        )
        _write_tar(partial, manifest, archive)
        os.replace(partial, out)
    except OSError as exc:
        raise DumpError(f"{out}: could not write the dump: {exc.strerror or exc}") from exc
    finally:
        shutil.rmtree(work, ignore_errors=True)
        partial.unlink(missing_ok=True)
    echo(f"Dumped {manifest.nodes} nodes, {manifest.relationships} relationships to {out}")
    return manifest


def _write_tar(path: Path, manifest: Manifest, archive: Path) -> None:
    body = (manifest.model_dump_json(indent=2) + "\n").encode()
    with path.open("wb") as handle:
        with tarfile.open(fileobj=handle, mode="w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(archive, arcname=manifest.dump_file)
        handle.flush()
        os.fsync(handle.fileno())


# --------------------------------------------------------------------------- load


def read_manifest(path: Path) -> Manifest:
    """The artefact's manifest, or a one-line refusal naming the file (and field)."""
    if path.is_dir():
        raise DumpError(f"{path}: is a folder; give the dump file (made by `chickgraph neo4j "
                        "dump -o FILE`)")
    if not path.is_file():
        raise DumpError(f"{path}: no such file")
    try:
        with tarfile.open(path, mode="r:") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST:
                raise DumpError(f"{path}: not a ChickGraph dump (no {MANIFEST} first in the tar)")
            handle = tar.extractfile(member)
            raw = handle.read() if handle else b""
    except (tarfile.TarError, EOFError) as exc:
        raise DumpError(f"{path}: not a ChickGraph dump (not a readable tar: {exc})") from exc
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise DumpError(f"{path}: {MANIFEST}: format: {data.get('format')!r} is not "
                            f"{FORMAT!r}")
        return Manifest.model_validate(data)
    except (ValueError, AttributeError) as exc:
        if isinstance(exc, ValidationError):
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise DumpError(f"{path}: {MANIFEST}: {where}: {first['msg']}") from exc
        raise DumpError(f"{path}: {MANIFEST}: not valid JSON: {exc}") from exc


def check_compatible(path: Path, manifest: Manifest, settings: Settings) -> None:
    """Same ChickGraph version (the graph model) and the same Neo4j minor series."""
    ours = chickgraph_version()
    if manifest.chickgraph_version != ours:
        raise DumpError(f"{path}: {MANIFEST}: chickgraph_version: made by ChickGraph "
                        f"{manifest.chickgraph_version}, this is {ours}; re-ingest instead")
    local = settings.neo4j.local.version
    theirs = manifest.neo4j_version.removeprefix("Neo4j/")
    if theirs.split(".")[:2] != local.split(".")[:2]:
        raise DumpError(f"{path}: {MANIFEST}: neo4j_version: dumped by Neo4j {theirs}, the "
                        f"local server is {local}")


def _extract_dump(path: Path, manifest: Manifest, into: Path) -> Path:
    """Unpack the .dump and check its size and SHA-256 against the manifest."""
    target = into / f"{manifest.database}.dump"
    try:
        with tarfile.open(path, mode="r:") as tar:
            member = tar.getmember(manifest.dump_file)
            source = tar.extractfile(member)
            if source is None:
                raise DumpError(f"{path}: {manifest.dump_file} is not a file")
            with target.open("wb") as handle:
                shutil.copyfileobj(source, handle, 1 << 20)
    except KeyError as exc:
        raise DumpError(f"{path}: truncated or damaged: {manifest.dump_file} missing") from exc
    except (tarfile.TarError, EOFError) as exc:
        raise DumpError(f"{path}: truncated or damaged: {exc}") from exc
    except OSError as exc:
        raise DumpError(f"{target}: could not unpack the dump: {exc.strerror or exc}") from exc
    size = target.stat().st_size
    if size != manifest.dump_bytes:
        raise DumpError(f"{path}: truncated or damaged: {manifest.dump_file} has {size} bytes, "
                        f"the manifest says {manifest.dump_bytes}")
    if _sha256(target) != manifest.dump_sha256:
        raise DumpError(f"{path}: truncated or damaged: {manifest.dump_file}'s SHA-256 differs "
                        "from the manifest's")
    return target


@dataclass(frozen=True)
class Staging:
    """A second data folder under the same home (same filesystem: swaps are renames)."""

    root: Path

    @property
    def conf_dir(self) -> Path:
        return self.root / "conf"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def incoming(self) -> Path:
        return self.root / "in"

    @property
    def previous(self) -> Path:
        return self.root / "previous"


def staging_for(layout: ServerLayout) -> Staging:
    return Staging(layout.home / "load-staging")


def _store_dirs(data: Path, database: str) -> list[tuple[str, Path]]:
    """The folders one database occupies: its store and its transaction logs."""
    return [("databases", data / "databases" / database),
            ("transactions", data / "transactions" / database)]


def _is_empty(settings: Settings) -> bool:
    with db.connect(settings) as driver:
        rows = db.run_read(driver, settings, cypher_files.load("admin/dump_counts"))
    return rows[0]["nodes"] == 0


def load(settings: Settings, path: Path, force: bool = False, echo: Echo = print) -> Manifest:
    """Replace the local database by the artefact's; the previous one survives any failure."""
    layout = _local_layout(settings)
    path = path.resolve()
    manifest = read_manifest(path)
    check_compatible(path, manifest, settings)
    if manifest.database != settings.neo4j.database:
        echo(f"Note: dumped from database {manifest.database}, loading into "
             f"{settings.neo4j.database}")
    neo4j_server.start(settings, echo)
    if not force and not _is_empty(settings):
        raise DumpError(f"database {settings.neo4j.database} is not empty: pass --force to "
                        f"replace it with {path.name}")
    staging = staging_for(layout)
    shutil.rmtree(staging.root, ignore_errors=True)
    try:
        for folder in (staging.conf_dir, staging.data, staging.incoming, staging.previous):
            folder.mkdir(parents=True)
        _extract_dump(path, manifest, staging.incoming)
        conf = neo4j_server.render_conf(settings, layout).replace(
            f"server.directories.data={layout.data}",
            f"server.directories.data={staging.data}")
        (staging.conf_dir / "neo4j.conf").write_text(conf, encoding="utf-8")
        echo(f"Loading {path.name} into a staging folder (the server keeps running) ...")
        _admin(settings, layout, staging.conf_dir, "database", "load",
               settings.neo4j.database, f"--from-path={staging.incoming}",
               "--overwrite-destination=true")
        (staging.incoming / f"{manifest.database}.dump").unlink()
        _swap_in(settings, layout, staging, manifest, path, echo)
    except OSError as exc:
        raise DumpError(f"{staging.root}: {exc.strerror or exc} (the previous database is "
                        "unchanged)") from exc
    finally:
        shutil.rmtree(staging.root, ignore_errors=True)
    echo(f"Loaded {manifest.nodes} nodes, {manifest.relationships} relationships from {path}")
    return manifest


def _swap_in(settings: Settings, layout: ServerLayout, staging: Staging, manifest: Manifest,
             path: Path, echo: Echo) -> None:
    """Stop, rename live -> previous and staged -> live, start, check; undo on failure."""
    database = settings.neo4j.database
    live = _store_dirs(layout.data, database)
    staged = _store_dirs(staging.data, database)
    moved: list[tuple[Path, Path]] = []  # (from, to), to undo in reverse
    neo4j_server.stop(settings)
    try:
        for (kind, current), (_, new) in zip(live, staged, strict=True):
            if current.exists():
                aside = staging.previous / kind
                current.rename(aside)
                moved.append((current, aside))
            current.parent.mkdir(parents=True, exist_ok=True)
            new.rename(current)
            moved.append((new, current))
        neo4j_server.start(settings, echo)
        _check_loaded(settings, manifest, path)
    except BaseException:
        neo4j_server.stop(settings)
        for origin, moved_to in reversed(moved):
            if origin.exists():
                shutil.rmtree(origin)
            moved_to.rename(origin)
        neo4j_server.start(settings, echo)
        raise


def _check_loaded(settings: Settings, manifest: Manifest, path: Path) -> None:
    facts = graph_facts(settings)
    for field, expected, found in (
        ("nodes", manifest.nodes, facts.nodes),
        ("relationships", manifest.relationships, facts.relationships),
        ("labels", manifest.labels, facts.labels),
        ("types", manifest.types, facts.types),
        ("vocabulary_fingerprint", manifest.vocabulary_fingerprint,
         facts.vocabulary_fingerprint),
    ):
        if expected != found:
            raise DumpError(f"{path}: {MANIFEST}: {field}: the manifest says {expected}, the "
                            f"loaded database has {found}; the previous database was restored")
