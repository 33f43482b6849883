"""The Neo4j connection settings of the read commands, read without pydantic.

`chickgraph query` answers in about the time a bare driver script takes, and building the full
`Settings` (pydantic, pydantic-settings, a dozen validated models) cost as much as the query.
A read command needs only where the server is and how to log in, so `connection()` reads just
that: the `neo4j` section of the same YAML file, the same environment variables
and the same path rules (both from `pipeline.config_paths`).

`pipeline.settings` stays the reference: whenever this reader meets anything it does not
vouch for (a file it cannot read, a section that is not a mapping, an unknown key, a value
of the wrong type, a port out of range), it returns the full `get_settings()` instead, which
reports the problem in its own words. tests/unit/test_cli_connection.py checks that both give
the same connection. What it does not do is validate the other sections (ingest, prefect...):
a mistake there is reported by the commands that use them (`config show` shows it).

The object returned quacks like `Settings` for `pipeline.load.db` and the named queries:
`.neo4j.uri / username / database / connect_timeout_s / external / effective_uri / local.home
/ local.bolt_port` and `.neo4j_password()`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.config_paths import ENV_OVERRIDES, Neo4jEndpoint, default_config, roots
from pipeline.errors import ConfigError
from pipeline.yamlfile import read_mapping

if TYPE_CHECKING:
    from pipeline.settings import Settings

# The variables of the values read here, as ENV_OVERRIDES places them (`local.home`)
READ = ("uri", "username", "password", "database", "local.bolt_port", "local.home")
ENV: dict[str, str] = {var: path.removeprefix("neo4j.") for var, path in ENV_OVERRIDES.items()
                       if path.removeprefix("neo4j.") in READ}
# settings.Settings' fields (extra="forbid": another top-level key is an error there)
TOP_KEYS = frozenset(("neo4j", "prefect", "ingest", "sources", "schedule", "enrich",
                      "cache_dir", "config_file"))
# settings.Neo4jSettings / LocalNeo4j: their fields, and the defaults of those read here
NEO4J_KEYS = frozenset(("uri", "username", "password", "database", "connect_timeout_s", "local"))
LOCAL_KEYS = frozenset(("version", "bolt_port", "home", "dist", "java", "heap", "pagecache",
                        "start_timeout_s", "checkpoint_interval", "background_index_sampling",
                        "http_port", "guide_port"))
DEFAULTS: dict[str, Any] = {"uri": None, "username": "neo4j", "password": None,
                            "database": "neo4j", "connect_timeout_s": 5,
                            "local.bolt_port": 17687, "local.home": ".local/neo4j"}


class _Unsure(Exception):
    """Something only the full settings can judge (and word)."""


@dataclass(frozen=True)
class LocalServer:
    bolt_port: int
    home: Path


@dataclass(frozen=True)
class Neo4jConnection(Neo4jEndpoint):
    uri: str | None
    username: str
    password: str | None
    database: str
    connect_timeout_s: float
    local: LocalServer


@dataclass(frozen=True)
class ConnectionSettings:
    neo4j: Neo4jConnection

    def neo4j_password(self) -> str:
        """As `Settings.neo4j_password`: NEO4J_PASSWORD, else the local server's password."""
        if self.neo4j.password is not None:
            return self.neo4j.password
        if self.neo4j.external:
            raise ConfigError("NEO4J_URI is set but NEO4J_PASSWORD is not")
        path = self.neo4j.local.home / "password"
        if path.exists():
            return path.read_text(encoding="utf-8").strip()
        from pipeline.settings import local_password  # creates it, once

        return local_password(self.neo4j.local.home)


_CACHE: list[ConnectionSettings | Settings] = []


def connection() -> ConnectionSettings | Settings:
    """The process's connection settings (read once), or the full settings when in doubt."""
    if not _CACHE:
        try:
            _CACHE.append(read_connection(os.environ))
        except _Unsure:
            from pipeline.settings import get_settings

            _CACHE.append(get_settings())
    return _CACHE[0]


def read_connection(environ: Mapping[str, str]) -> ConnectionSettings:
    """What `load_settings(environ=environ).neo4j` holds; raises _Unsure when it cannot tell."""
    path = Path(environ.get("CHICKGRAPH_CONFIG") or default_config())
    values = dict(DEFAULTS)
    values |= _from_file(path)
    for var, key in ENV.items():
        value = environ.get(var)
        if value:  # empty variables are ignored
            values[key] = Path(value).expanduser().resolve() if key == "local.home" else value
    port = _port(values["local.bolt_port"])
    home = values["local.home"]
    if not isinstance(home, Path):
        home = roots(path, environ).absolute(Path(_text(home)))
    timeout = values["connect_timeout_s"]
    if isinstance(timeout, bool) or not isinstance(timeout, int | float):
        raise _Unsure("connect_timeout_s")
    return ConnectionSettings(Neo4jConnection(
        uri=_optional_text(values["uri"]), username=_text(values["username"]),
        password=_optional_text(values["password"]), database=_text(values["database"]),
        connect_timeout_s=float(timeout), local=LocalServer(port, home)))


def _from_file(path: Path) -> dict[str, Any]:
    """The neo4j section's values, flattened (`local.home`); _Unsure when the file is odd."""
    data = read_mapping(path, what="config", error=_Unsure)  # as the settings read it
    if not set(data) <= TOP_KEYS:
        raise _Unsure("top level")
    section = data.get("neo4j")
    if section is None:
        return {}
    if not isinstance(section, dict) or not set(section) <= NEO4J_KEYS:
        raise _Unsure("neo4j")
    local = section.get("local")
    if local is not None and (not isinstance(local, dict) or not set(local) <= LOCAL_KEYS):
        raise _Unsure("neo4j.local")
    values = {key: value for key, value in section.items() if key != "local"}
    for key in ("bolt_port", "home"):
        if local and key in local:
            values[f"local.{key}"] = local[key]
    return values


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise _Unsure(repr(value))
    return value


def _optional_text(value: Any) -> str | None:
    return None if value is None else _text(value)


def _port(value: Any) -> int:
    if isinstance(value, bool):
        raise _Unsure("bolt_port")
    if isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value)
    if not isinstance(value, int) or not 1 <= value <= 65535:
        raise _Unsure("bolt_port")
    return value
