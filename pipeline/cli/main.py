"""`chickgraph`: the command line. Thin: each command parses options and calls the package.

One module per command group (`*_cmd.py`); this one assembles them. Expected failures
(Neo4j down, bad config, missing folder) print one line and exit 1; only real bugs show a
traceback."""

from __future__ import annotations

import gc
import importlib
import sys
from collections.abc import Sequence

import typer

from pipeline.cli.output import echo
from pipeline.errors import ChickGraphError

HELP = (
    "ChickGraph: GEISHA chick-embryo gene-expression pages -> a Neo4j graph.\n\n"
    "Settings come from config/chickgraph.yaml, overridden by environment variables "
    "(NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE, CORPUS, ...; "
    "see `chickgraph config show`). With NEO4J_URI set, that server is used and nothing "
    "local is started."
)

# command name -> (module, attribute): a typer.Typer is a command group, anything else one
# command. Only the module of the command being run is imported, so `chickgraph query`
# never pays for Prefect, plotting or the other commands' imports.
COMMANDS: dict[str, tuple[str, str]] = {
    "neo4j": ("pipeline.cli.neo4j_cmd", "app"),
    "prefect": ("pipeline.cli.prefect_cmd", "app"),
    "serve": ("pipeline.cli.prefect_cmd", "serve_cmd"),
    "config": ("pipeline.cli.config_cmd", "config_app"),
    "schema": ("pipeline.cli.config_cmd", "schema_app"),
    "cypher": ("pipeline.cli.cypher_cmd", "cypher_cmd"),
    "ingest": ("pipeline.cli.ingest_cmd", "ingest_cmd"),
    "runs": ("pipeline.cli.ingest_cmd", "runs_cmd"),
    "query": ("pipeline.cli.query_cmd", "query_cmd"),
    "export": ("pipeline.cli.query_cmd", "export_cmd"),
    "plot": ("pipeline.cli.query_cmd", "plot_app"),
    "vocab": ("pipeline.cli.vocab_cmd", "app"),
    "browser": ("pipeline.cli.browser_cmd", "browser_cmd"),
    "enrich": ("pipeline.cli.enrich_cmd", "enrich_cmd"),
}


def build_app(argv: Sequence[str] = ()) -> typer.Typer:
    """The typer app with the command named first in `argv`, or every command (for --help,
    completion or an unknown name, which typer then reports with the full list)."""
    app = typer.Typer(help=HELP, no_args_is_help=True, pretty_exceptions_show_locals=False)

    @app.callback()
    def _root() -> None:  # a group even when one command is registered
        pass

    chosen = [argv[0]] if argv and argv[0] in COMMANDS else list(COMMANDS)
    for name in chosen:
        module, attribute = COMMANDS[name]
        target = getattr(importlib.import_module(module), attribute)
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    return app


def main() -> None:
    """Console entry point: expected errors become one line on stderr and exit 1."""
    try:
        build_app(sys.argv[1:])()
    except Exception as exc:
        message = expected_failure(exc)
        if message is None:
            raise
        echo(f"error: {message}")
        sys.exit(1)
    finally:
        exit_without_final_collection()


def exit_without_final_collection() -> None:
    """The command is done: the objects alive now (Prefect's and pydantic's modules, the
    driver, a run's records) are moved out of the collector's reach, so the interpreter's
    shutdown frees them by reference count only instead of tracing them all once more.
    That tracing was 0.3 s of every `chickgraph ingest` (0.07 s frozen; measured from the
    last atexit handler to the process's end). Cycles still alive at exit are then not
    collected, so no `__del__` of theirs runs: Python never promised that at exit, and the
    commands close their files and sessions with `with` blocks before they return."""
    gc.freeze()


def expected_failure(exc: BaseException) -> str | None:
    """The one-line message for a failure users cause or meet (not a bug), else None.

    Neo4j's exception classes are looked at only when the driver was imported: a command
    that never loaded it cannot have raised them, and `config show` need not pay for it.
    """
    if isinstance(exc, ChickGraphError):
        return str(exc)
    if "neo4j" not in sys.modules:
        return None
    from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

    if isinstance(exc, ServiceUnavailable | SessionExpired):  # gone after the pre-flight check
        from pipeline.cli.connection import connection
        from pipeline.load.db import unavailable

        return str(unavailable(connection(), exc))
    if isinstance(exc, Neo4jError):
        return f"Neo4j refused the query: {exc.code}: {_first_line(exc)}"
    return None


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0]
