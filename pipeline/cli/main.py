"""`chickgraph`: the command line. Thin: each command parses options and calls the package.

One module per command group (`*_cmd.py`); this one assembles them. Expected failures
(Neo4j down, bad config, missing folder) print one line and exit 1; only real bugs show a
traceback."""

from __future__ import annotations

import sys

import typer
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired

from pipeline.cli import (
    config_cmd,
    cypher_cmd,
    enrich_cmd,
    ingest_cmd,
    neo4j_cmd,
    prefect_cmd,
    query_cmd,
    vocab_cmd,
)
from pipeline.cli.output import echo
from pipeline.errors import ChickGraphError

app = typer.Typer(
    help="ChickGraph: GEISHA chick-embryo gene-expression pages -> a Neo4j graph.\n\n"
    "Settings come from config/chickgraph.yaml, overridden by environment variables "
    "(NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE, CORPUS, ...; "
    "see `chickgraph config show`). With NEO4J_URI set, that server is used and nothing "
    "local is started.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(neo4j_cmd.app, name="neo4j")
app.add_typer(prefect_cmd.app, name="prefect")
app.add_typer(config_cmd.config_app, name="config")
app.add_typer(config_cmd.schema_app, name="schema")
app.add_typer(query_cmd.plot_app, name="plot")
app.add_typer(vocab_cmd.app, name="vocab")
app.command("serve")(prefect_cmd.serve_cmd)
app.command("cypher")(cypher_cmd.cypher_cmd)
app.command("ingest")(ingest_cmd.ingest_cmd)
app.command("runs")(ingest_cmd.runs_cmd)
app.command("query")(query_cmd.query_cmd)
app.command("export")(query_cmd.export_cmd)
app.command("enrich")(enrich_cmd.enrich_cmd)


def main() -> None:
    """Console entry point: expected errors become one line on stderr and exit 1."""
    try:
        app()
    except ChickGraphError as exc:
        echo(f"error: {exc}")
        sys.exit(1)
    except (ServiceUnavailable, SessionExpired) as exc:
        echo(f"error: Neo4j went away and did not come back: {_first_line(exc)}")
        sys.exit(1)
    except Neo4jError as exc:
        echo(f"error: Neo4j refused the query: {exc.code}: {_first_line(exc)}")
        sys.exit(1)


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0]
