"""`chickgraph neo4j ...`: the project's own local Neo4j server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from pipeline.cli.output import echo, out
from pipeline.errors import ChickGraphError, Neo4jAuthFailed
from pipeline.load import db
from pipeline.servers import dump, neo4j_server
from pipeline.settings import get_settings

app = typer.Typer(help="The project's local Neo4j 5.26 server (no Docker needed).",
                  no_args_is_help=True)


@app.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j server jars from Maven Central (cached; a no-op when present)."""
    layout = neo4j_server.install(get_settings(), echo)
    echo(f"Neo4j {layout.version} installed in {layout.lib}")


@app.command("start")
def neo4j_start() -> None:
    """Start the local server (idempotent) and wait until Bolt answers."""
    settings = get_settings()
    version = neo4j_server.start(settings, echo)
    echo(f"{version} is running at {settings.neo4j.effective_uri}")


@app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server; returns when no Neo4j JVM of ours is left."""
    stopped = neo4j_server.stop(get_settings())
    echo("Neo4j stopped" if stopped else "Neo4j was not running")


@app.command("status")
def neo4j_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """running, starting or stopped, server version and URI (exit 0 either way). A server
    that refuses the login is running: the refusal is printed on stderr."""
    settings = get_settings()
    info: dict[str, Any] = {"uri": settings.neo4j.effective_uri,
                            "external": settings.neo4j.external, "pid": None}
    if not settings.neo4j.external:
        info["pid"] = neo4j_server.running_pid(settings)
    try:
        info["version"] = db.server_version(settings)
        info["status"] = "running"
    except Neo4jAuthFailed as exc:  # it answered: up, but not for these credentials
        info["version"] = None
        info["status"] = "running"
        info["error"] = str(exc)
    except ChickGraphError as exc:
        info["version"] = None
        info["status"] = "stopped" if info["pid"] is None else "starting"
        info["error"] = str(exc)
    if as_json:
        out.print_json(json.dumps(info))
        return
    version = f" {info['version']}" if info["version"] else ""
    out.print(f"{info['status']}{version} {info['uri']}", markup=False, highlight=False)
    if info["status"] == "running" and "error" in info:
        echo(f"login refused: {info['error']}")


@app.command("dump")
def neo4j_dump(
    output: Annotated[Path, typer.Option("--output", "-o", help="The file to write (a tar: "
                                         "manifest.json + Neo4j's .dump).")],
) -> None:
    """Dump the local database with neo4j-admin into one file others can `load`.

    Neo4j Community dumps only with the server stopped: it is stopped for the dump and
    started again. The file's manifest names the ChickGraph and Neo4j versions, the last
    completed ingest run (source, commit), node and relationship counts and the vocabulary
    fingerprint. Refused while an ingest run holds the lock.
    """
    dump.dump(get_settings(), output, echo)


@app.command("load")
def neo4j_load(
    file: Annotated[Path, typer.Argument(help="A file written by `chickgraph neo4j dump`.")],
    force: Annotated[bool, typer.Option("--force", help="Replace a database that is not "
                                        "empty.")] = False,
) -> None:
    """Replace the local database by a dump (then `chickgraph ingest` syncs from it).

    The file is checked first (manifest, versions, size and checksum), loaded into a staging
    folder while the server keeps running, then swapped in with a short stop; the node and
    relationship counts are checked against the manifest. On any failure the previous
    database is put back and the server started. A non-empty database needs --force.
    """
    dump.load(get_settings(), file, force=force, echo=echo)
