"""`chickgraph query`, `export` and `plot ...`: read the graph back (named queries, pages,
pictures). Plotting libraries are imported only by the plot commands; `query` reads only the
connection settings (pipeline.cli.connection), so it imports neither pydantic nor Rich
(unless it draws a table)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any

import typer

from pipeline.cli import output
from pipeline.cli.connection import connection
from pipeline.cli.output import FORMAT_HELP, ROW_FORMATS, echo, one_of, print_rows
from pipeline.errors import ChickGraphError
from pipeline.load import db

# "\\[" is Rich's escape: typer renders help as Rich markup, where "[plots]" would be a tag and
# vanish from the hint
plot_app = typer.Typer(help="Pictures of a gene's expression and orthologs (needs the plots "
                       "extra: pip install 'chickgraph\\[plots]').",
                       no_args_is_help=True)


def query_cmd(
    name: Annotated[str | None, typer.Argument(help="Query name (see --list).")] = None,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="name=value (repeatable): see --list for each query's.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help=FORMAT_HELP,
                                     callback=one_of(*ROW_FORMATS))] = "table",
    limit: Annotated[int | None, typer.Option("--limit", "-n", help="At most N rows.")] = None,
    list_all: Annotated[bool, typer.Option("--list", help="List queries and parameters.")] = False,
) -> None:
    """Run a named query from cypher/queries/ (read-only); --list shows each one's parameters.

    For example, the human genes whose chick orthologs are expressed in the heart between HH10
    and HH20: chickgraph query ortholog-genes-in-tissue -p structure=heart -p from_stage=HH10
    -p to_stage=HH20
    """
    from pipeline.queries import named

    if list_all or name is None:
        for spec in named.catalogue().values():
            output.out.print(f"[bold]{spec.name}[/]: {spec.description}", highlight=False)
            for p in spec.params:
                default = "required" if p.required else f"default {p.default!r}"
                output.out.print(f"    {p.name} ({p.type}, {default}): {p.help}",
                                 highlight=False, markup=False)
        return
    given: dict[str, Any] = {}
    for pair in param or []:
        key, sep, value = pair.partition("=")
        if not sep:
            raise typer.BadParameter(f"{pair!r}: expected name=value", param_hint="--param")
        given[key.strip()] = value
    if limit is not None:
        given["limit"] = limit
    settings = connection()
    with db.connect(settings) as driver:  # one verified connection, used for the query too
        rows = named.run_raw(name, settings, driver=driver, **given)
    print_rows(rows, fmt)
    cap = named.bind(named.get(name), given).get("limit")
    if cap is not None and len(rows) >= cap:
        echo(f"stopped at the query's limit of {cap} rows: --limit N for more")


def _plots(*libraries: str) -> ModuleType:
    """The plotting module, or one line saying how to install what it needs: the libraries
    come with the `plots` extra, not with the pipeline."""
    missing = [name for name in libraries if importlib.util.find_spec(name) is None]
    if missing:
        raise ChickGraphError(f"plotting needs {', '.join(missing)}: "
                              "pip install 'chickgraph[plots]' (make install does)")
    from pipeline.queries import plots

    return plots


@plot_app.command("expression")
def plot_expression(
    symbol: Annotated[str, typer.Argument(help="Chicken gene symbol, e.g. ALAS2.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="PNG file to write.")] = Path(
        "heatmap.png"),
) -> None:
    """Structure x stage heatmap of a gene's image counts (stages in developmental order,
    structures grouped by their top-level parent)."""
    from pipeline.queries import named
    from pipeline.settings import get_settings
    from pipeline.transform.vocab.anatomy import load_anatomy

    plots = _plots("matplotlib", "numpy")

    settings = get_settings()
    with db.connect(settings):
        rows = named.run("gene-expression", settings, symbol=symbol)
    if not rows:
        raise ChickGraphError(f"no expression for {symbol!r} in the graph (is it loaded?)")
    plots.expression_heatmap(rows, symbol, load_anatomy(), output)  # type: ignore[arg-type]
    echo(f"wrote {output}")


@plot_app.command("orthologs")
def plot_orthologs(
    symbol: Annotated[str, typer.Argument(help="Chicken gene symbol, e.g. ALAS2.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")] = Path(
        "graph.html"),
) -> None:
    """Interactive HTML view of a gene, its orthologs and the structures it is expressed in."""
    from pipeline.queries import named
    from pipeline.settings import get_settings

    plots = _plots("neo4j_viz")

    settings = get_settings()
    with db.connect(settings):
        orthologs = named.run("orthologs", settings, symbol=symbol)
        expression = named.run("gene-expression", settings, symbol=symbol)
    if not orthologs and not expression:
        raise ChickGraphError(f"nothing known about {symbol!r} in the graph (is it loaded?)")
    plots.orthologs_graph(symbol, orthologs, expression, output)  # type: ignore[arg-type]
    echo(f"wrote {output}")


def export_cmd(
    symbol: Annotated[str | None, typer.Argument(help="Gene symbol of the page.")] = None,
    path: Annotated[str | None, typer.Option("--path", help="Page path instead of symbol.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="yaml or json",
                                     callback=one_of("yaml", "json"))] = "yaml",
) -> None:
    """Rebuild a page's front matter from the graph alone."""
    from pipeline.queries.export import export_page
    from pipeline.settings import get_settings

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
        import yaml

        sys.stdout.write(yaml.safe_dump(front, sort_keys=False, allow_unicode=True))
