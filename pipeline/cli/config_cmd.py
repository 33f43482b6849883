"""`chickgraph config show` and `chickgraph schema apply`."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
import yaml

from pipeline.cli.output import echo, out
from pipeline.load import db
from pipeline.settings import ENV_OVERRIDES, get_settings

config_app = typer.Typer(help="Effective settings.", no_args_is_help=True)
schema_app = typer.Typer(help="Constraints and indexes.", no_args_is_help=True)


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
        count = db.apply_schema(driver, settings, force=True)
    echo(f"schema applied: {count} statements")
