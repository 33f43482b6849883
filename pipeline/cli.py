"""`chickgraph`: the command line. Thin: each command parses options and calls the package.

Expected failures (Neo4j down, bad config, missing folder) print one line and exit 1; only
real bugs show a traceback.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from neo4j.exceptions import Neo4jError, ServiceUnavailable, SessionExpired
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline import cypher_files, db, neo4j_server
from pipeline.errors import ChickGraphError
from pipeline.settings import ENV_OVERRIDES, get_settings

app = typer.Typer(
    help="ChickGraph: GEISHA chick-embryo gene-expression pages -> a Neo4j graph.\n\n"
    "Settings come from config/chickgraph.yaml, overridden by environment variables "
    "(NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE, CORPUS, ...; "
    "see `chickgraph config show`). With NEO4J_URI set, that server is used and nothing "
    "local is started.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
neo4j_app = typer.Typer(help="The project's local Neo4j 5.26 server (no Docker needed).",
                        no_args_is_help=True)
config_app = typer.Typer(help="Effective settings.", no_args_is_help=True)
schema_app = typer.Typer(help="Constraints and indexes.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
app.add_typer(config_app, name="config")
app.add_typer(schema_app, name="schema")
prefect_app = typer.Typer(
    help="A managed local Prefect server: flows then start in ~1 s instead of ~6 s.",
    no_args_is_help=True)
app.add_typer(prefect_app, name="prefect")
plot_app = typer.Typer(help="Pictures of a gene's expression and orthologs.",
                       no_args_is_help=True)
app.add_typer(plot_app, name="plot")
vocab_app = typer.Typer(help="Curated stage and anatomy vocabularies.", no_args_is_help=True)
app.add_typer(vocab_app, name="vocab")

# Not a terminal (pipes, CI): wide enough that tables are not squeezed to 80 columns.
out = Console() if sys.stdout.isatty() else Console(width=200)
err = Console(stderr=True, soft_wrap=True)


def _echo(message: str) -> None:
    err.print(message, markup=False, highlight=False)


# --------------------------------------------------------------------------- neo4j


@neo4j_app.command("install")
def neo4j_install() -> None:
    """Resolve the Neo4j server jars from Maven Central (cached; a no-op when present)."""
    layout = neo4j_server.install(get_settings(), _echo)
    _echo(f"Neo4j {layout.version} installed in {layout.lib}")


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Start the local server (idempotent) and wait until Bolt answers."""
    settings = get_settings()
    version = neo4j_server.start(settings, _echo)
    _echo(f"{version} is running at {settings.neo4j.effective_uri}")


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local server; returns when no Neo4j JVM of ours is left."""
    stopped = neo4j_server.stop(get_settings())
    _echo("Neo4j stopped" if stopped else "Neo4j was not running")


@neo4j_app.command("status")
def neo4j_status(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """running/stopped, server version and URI (exit 0 either way)."""
    settings = get_settings()
    info: dict[str, Any] = {"uri": settings.neo4j.effective_uri,
                            "external": settings.neo4j.external, "pid": None}
    if not settings.neo4j.external:
        info["pid"] = neo4j_server.running_pid(settings)
    try:
        info["version"] = db.server_version(settings)
        info["status"] = "running"
    except ChickGraphError as exc:
        info["version"] = None
        info["status"] = "stopped" if info["pid"] is None else "starting"
        info["error"] = str(exc)
    if as_json:
        out.print_json(json.dumps(info))
    else:
        version = f" {info['version']}" if info["version"] else ""
        out.print(f"{info['status']}{version} {info['uri']}", markup=False, highlight=False)


# --------------------------------------------------------------------------- prefect


@prefect_app.command("start")
def prefect_start() -> None:
    """Start `prefect server start` on 127.0.0.1 (idempotent); later commands use it."""
    from pipeline import prefect_server

    url = prefect_server.start(get_settings(), _echo)
    _echo(f"Prefect server running at {url}")


@prefect_app.command("stop")
def prefect_stop() -> None:
    """Stop the managed Prefect server."""
    from pipeline import prefect_server

    _echo("Prefect server stopped" if prefect_server.stop(get_settings())
          else "Prefect server was not running")


@prefect_app.command("status")
def prefect_status() -> None:
    """Which Prefect API flows use: PREFECT_API_URL, the managed server, or ephemeral."""
    import os

    from pipeline import prefect_server

    url = os.environ.get("PREFECT_API_URL") or prefect_server.running_url(get_settings())
    out.print(f"api {url}" if url else "ephemeral (no server running)", markup=False)


@app.command("serve")
def serve_cmd(
    cron: Annotated[str | None, typer.Option(
        help="Cron schedule (default: schedule.cron).")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="Named source to ingest (default: schedule.source).")] = None,
) -> None:
    """Serve the ingestion flow as a Prefect deployment on a cron schedule (blocks).

    Scheduled runs ingest the configured source; trigger one by hand with
    `prefect deployment run chickgraph-ingest/<deployment>`. Use a Prefect server
    (`chickgraph prefect start` or PREFECT_API_URL) so the schedule outlives this process.
    """
    settings = get_settings()
    from pipeline.flows import ingest_flow
    from pipeline.sources import named_source

    schedule = settings.schedule
    name = source or schedule.source
    named_source(settings, name)  # fail now, not at 3 a.m.
    _echo(f"serving {ingest_flow.name}/{schedule.deployment}: cron {cron or schedule.cron!r} "
          f"({schedule.timezone}), source {name!r}")
    ingest_flow.serve(
        name=schedule.deployment, cron=cron or schedule.cron,
        parameters={"source_name": name}, tags=["chickgraph"],
        description="Scheduled ChickGraph ingestion (sync of a source into Neo4j)",
        limit=1,
    )


# --------------------------------------------------------------------------- config, schema


@config_app.command("show")
def config_show(
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
) -> None:
    """The effective settings (file + environment), secrets masked."""
    data = get_settings().masked()
    data["environment_variables"] = dict(ENV_OVERRIDES)
    if as_json:
        out.print_json(json.dumps(data, default=str))
    else:
        sys.stdout.write(yaml.safe_dump(data, sort_keys=False))


@schema_app.command("apply")
def schema_apply() -> None:
    """Create constraints and indexes (idempotent; also done before every load)."""
    settings = get_settings()
    with db.connect(settings) as driver:
        count = db.apply_schema(driver, settings)
    _echo(f"schema applied: {count} statements")


# --------------------------------------------------------------------------- cypher


def parse_params(pairs: list[str]) -> dict[str, Any]:
    """`name=value` pairs; a value that parses as JSON (numbers, lists...) is used as such."""
    params: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"{pair!r}: expected name=value", param_hint="--param")
        try:
            params[name.strip()] = json.loads(raw)
        except json.JSONDecodeError:
            params[name.strip()] = raw
    return params


def _plain(value: Any) -> Any:
    """Driver values (nodes, temporals) -> JSON-friendly Python values."""
    if hasattr(value, "to_native"):
        return value.to_native().isoformat()
    if hasattr(value, "items") and hasattr(value, "element_id"):
        return dict(value.items())
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def print_rows(rows: list[dict[str, Any]], fmt: str) -> None:
    rows = [{k: _plain(v) for k, v in row.items()} for row in rows]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, default=str) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        columns = list(rows[0]) if rows else []
        writer = csv.DictWriter(buffer, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v
                             for k, v in row.items()})
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(show_lines=False)
        for column in rows[0] if rows else []:
            table.add_column(Text(column))
        for row in rows:  # Text(): data is shown verbatim, never read as Rich markup
            table.add_row(*[Text(json.dumps(v, default=str) if isinstance(v, list | dict)
                                 else str(v)) for v in row.values()])
        out.print(table)
        _echo(f"{len(rows)} row(s)")


FORMAT_HELP = "Output format: table, json (an array of row objects) or csv."


@app.command("cypher")
def cypher_cmd(
    query: Annotated[str, typer.Argument(help="The Cypher query; values go in --param.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="name=value (repeatable); JSON values are parsed.")] = None,
    write: Annotated[bool, typer.Option(
        "--write", help="Run in a write transaction (default: read-only).")] = False,
) -> None:
    """Run raw Cypher. Read-only unless --write: the server refuses writes otherwise."""
    if fmt not in ("table", "json", "csv"):
        raise typer.BadParameter(f"unknown format {fmt!r}", param_hint="--format")
    settings = get_settings()
    params = parse_params(param or [])
    with db.connect(settings) as driver:
        if write:
            rows = db.run_write(driver, settings, query, params)
        else:
            db.refuse_side_effects(driver, settings, query, params)
            rows = db.run_read(driver, settings, query, params)
    print_rows(rows, fmt)


# --------------------------------------------------------------------------- ingest


@app.command("ingest")
def ingest_cmd(
    path: Annotated[Path | None, typer.Argument(
        help="Folder of gene pages (*.md). Default: ingest.source in config, or CORPUS.")] = None,
    source: Annotated[str | None, typer.Option(
        "--source", "-s", help="A named source from config (folder or git repository).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Fail the run (exit 1) if any page fails validation.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", help="Seconds to wait for another run's lock (default: fail at once).")] = 0,
) -> None:
    """Load (or sync) gene pages into Neo4j with the Prefect flow.

    Unchanged pages are skipped by content hash; removed pages are deleted; bad pages are
    reported with file, field and reason and keep their previous data. Exit 0 when the run
    finished (even with bad pages), 1 when it could not run.
    """
    from pipeline.ingest import render_summary, run_ingest

    settings = get_settings()
    if path is not None and source is not None:
        raise typer.BadParameter("give a PATH or --source, not both")
    folder = None if source is not None else (path or settings.ingest.source).resolve()
    summary = run_ingest(folder, source_name=source, show_progress=not as_json, strict=strict,
                         lock_wait_s=wait)
    if as_json:
        sys.stdout.write(summary.model_dump_json(indent=2) + "\n")
    else:
        render_summary(summary, out)


@app.command("query")
def query_cmd(
    name: Annotated[str | None, typer.Argument(help="Query name (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="name=value (repeatable): see --list for each query's.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most N rows.")] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List queries and parameters.")] = False,
) -> None:
    """Run a named query from cypher/queries/ (read-only), e.g.

    chickgraph query genes-in-tissue -p structure=heart -p from_stage=HH10 -p to_stage=HH20
    """
    from pipeline import queries

    if list_all or name is None:
        for spec in queries.catalogue().values():
            out.print(f"[bold]{spec.name}[/]: {spec.description}", highlight=False)
            for p in spec.params:
                default = "required" if p.required else f"default {p.default!r}"
                out.print(f"    {p.name} ({p.type}, {default}): {p.help}", highlight=False,
                          markup=False)
        return
    given: dict[str, Any] = {}
    for pair in param or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r}: expected name=value", param_hint="--param")
        given[key.strip()] = value
    if limit is not None:
        given["limit"] = limit
    settings = get_settings()
    with db.connect(settings):
        rows = queries.run_raw(name, settings, **given)
    print_rows(rows, fmt)
    cap = queries.bind(queries.get(name), given).get("limit")
    if cap is not None and len(rows) >= cap:
        _echo(f"stopped at the query's limit of {cap} rows: --limit N for more")


@plot_app.command("expression")
def plot_expression(
    symbol: Annotated[str, typer.Argument(help="Chicken gene symbol, e.g. ALAS2.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="PNG file to write.")] = Path(
        "heatmap.png"),
) -> None:
    """Structure x stage heatmap of a gene's image counts (stages in developmental order,
    structures grouped by their top-level parent)."""
    from pipeline import plots, queries
    from pipeline.vocab.anatomy import load_anatomy

    settings = get_settings()
    with db.connect(settings):
        rows = queries.run("gene-expression", settings, symbol=symbol)
    if not rows:
        raise ChickGraphError(f"no expression for {symbol!r} in the graph (is it loaded?)")
    plots.expression_heatmap(rows, symbol, load_anatomy(), output)  # type: ignore[arg-type]
    _echo(f"wrote {output}")


@plot_app.command("orthologs")
def plot_orthologs(
    symbol: Annotated[str, typer.Argument(help="Chicken gene symbol, e.g. ALAS2.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "graph.html"),
) -> None:
    """Interactive HTML view of a gene, its orthologs and the structures it is expressed in."""
    from pipeline import plots, queries

    settings = get_settings()
    with db.connect(settings):
        orthologs = queries.run("orthologs", settings, symbol=symbol)
        expression = queries.run("gene-expression", settings, symbol=symbol)
    if not orthologs and not expression:
        raise ChickGraphError(f"nothing known about {symbol!r} in the graph (is it loaded?)")
    plots.orthologs_graph(symbol, orthologs, expression, output)  # type: ignore[arg-type]
    _echo(f"wrote {output}")


@app.command("runs")
def runs_cmd(
    limit: Annotated[int, typer.Option("--limit", "-n", help="How many runs.")] = 10,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP)] = "table",
) -> None:
    """Recent ingestion runs recorded in the graph, newest first."""
    settings = get_settings()
    with db.connect(settings) as driver:
        rows = db.run_read(driver, settings, cypher_files.load("load/recent_runs"),
                           {"limit": limit})
    columns = ("started_at", "status", "source", "commit", "pages_seen", "pages_loaded",
               "pages_unchanged", "pages_failed", "pages_deleted", "seconds", "run_id")
    print_rows([{c: r["run"].get(c) for c in columns} for r in rows], fmt)


@app.command("export")
def export_cmd(
    symbol: Annotated[str | None, typer.Argument(help="Gene symbol of the page.")] = None,
    path: Annotated[str | None, typer.Option("--path", help="Page path instead of symbol.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml or json")] = "yaml",
) -> None:
    """Rebuild a page's front matter from the graph alone."""
    from pipeline.export import export_page

    if symbol is None and path is None:
        raise typer.BadParameter("give a SYMBOL or --path")
    settings = get_settings()
    with db.connect(settings) as driver:
        pages = export_page(driver, settings, symbol=symbol, path=path)
    if not pages:
        raise ChickGraphError(f"no page for {symbol or path!r} in the graph")
    if len(pages) > 1:
        raise ChickGraphError(
            f"{len(pages)} pages have symbol {symbol!r}: " + ", ".join(p for p, _ in pages)
            + "; choose one with --path")
    front = pages[0][1]
    if fmt == "json":
        sys.stdout.write(json.dumps(front, default=str, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(yaml.safe_dump(front, sort_keys=False, allow_unicode=True))


@vocab_app.command("check")
def vocab_check_cmd(
    path: Annotated[Path | None, typer.Argument(
        help="Folder of gene pages. Default: ingest.source in config, or CORPUS.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rows as JSON.")] = False,
) -> None:
    """List every stage and location label with the term it maps to and its count.

    Exits 1 when any label is unmapped (a location no curated term knows, or a stage label
    no rule recognises), so a new release is caught before it is loaded. Labels put in an
    explicit bucket (empty, unknown, other species' staging, typo) count as mapped.
    """
    from pipeline.vocab.report import unmapped
    from pipeline.vocab_check import check

    settings = get_settings()
    rows, issues = check((path or settings.ingest.source).resolve(), settings.ingest.max_page_bytes)
    missing = unmapped(rows)
    if as_json:
        sys.stdout.write(json.dumps({
            "rows": [r.model_dump() for r in rows], "unmapped": [r.model_dump() for r in missing],
            "unreadable_pages": [i.as_dict() for i in issues]}, indent=2) + "\n")
    else:
        print_rows([r.model_dump() for r in rows], "table")
        for issue in issues:
            _echo(f"unreadable: {issue.file}: {issue.field}: {issue.message}")
        for row in missing:
            _echo(f"UNMAPPED {row.kind} label {row.label!r} ({row.count}x)")
        _echo(f"{len(rows)} labels, {len(missing)} unmapped")
    if missing:
        raise typer.Exit(1)


def main() -> None:
    """Console entry point: expected errors become one line on stderr and exit 1."""
    try:
        app()
    except ChickGraphError as exc:
        _echo(f"error: {exc}")
        sys.exit(1)
    except (ServiceUnavailable, SessionExpired) as exc:
        _echo(f"error: Neo4j went away and did not come back: {_first_line(exc)}")
        sys.exit(1)
    except Neo4jError as exc:
        _echo(f"error: Neo4j refused the query: {exc.code}: {_first_line(exc)}")
        sys.exit(1)


def _first_line(exc: BaseException) -> str:
    text = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0]


