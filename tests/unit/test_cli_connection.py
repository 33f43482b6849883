"""`chickgraph query` and `cypher` read their connection without pydantic
(pipeline.cli.connection): it must give what the full settings give, and hand anything it
cannot vouch for to them (so their error messages stay the ones users see)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import connection as light
from pipeline.errors import ConfigError
from pipeline.settings import (
    DEFAULT_CONFIG,
    ENV_OVERRIDES,
    LocalNeo4j,
    Neo4jSettings,
    Settings,
    load_settings,
)


def same_connection(environ: dict[str, str], config: Path | None = None) -> None:
    if config is not None:
        environ = {**environ, "CHICKGRAPH_CONFIG": str(config)}
    full = load_settings(environ=environ)
    fast = light.read_connection(environ)
    for name in ("uri", "username", "database", "connect_timeout_s", "external",
                 "effective_uri"):
        assert getattr(fast.neo4j, name) == getattr(full.neo4j, name), name
    assert fast.neo4j.password == (full.neo4j.password.get_secret_value()
                                   if full.neo4j.password else None)
    assert fast.neo4j.local.home == full.neo4j.local.home
    assert fast.neo4j.local.bolt_port == full.neo4j.local.bolt_port
    if fast.neo4j.password is not None or (fast.neo4j.local.home / "password").exists():
        assert fast.neo4j_password() == full.neo4j_password()


def test_the_reader_knows_the_settings_fields() -> None:
    neo4j_variables = {var: dotted for var, dotted in ENV_OVERRIDES.items()
                       if dotted.startswith("neo4j.")}
    # the local server's Java, Browser ports and checkpoints are not part of a connection
    not_read = {"neo4j.local.java", "neo4j.local.http_port", "neo4j.local.guide_port",
                "neo4j.local.checkpoint_interval"}
    assert {var: f"neo4j.{key}" for var, key in light.ENV.items()} == {
        var: dotted for var, dotted in neo4j_variables.items() if dotted not in not_read}
    assert set(Settings.model_fields) == light.TOP_KEYS
    assert set(Neo4jSettings.model_fields) == light.NEO4J_KEYS
    assert set(LocalNeo4j.model_fields) == light.LOCAL_KEYS
    for key, value in light.DEFAULTS.items():
        model, field = (LocalNeo4j, key[6:]) if key.startswith("local.") else (Neo4jSettings, key)
        default = model.model_fields[field].default
        assert (str(default) if isinstance(default, Path) else default) == value, key


def test_default_config(tmp_path: Path) -> None:
    same_connection({})
    same_connection({"CHICKGRAPH_HOME": str(tmp_path / "state")})


def test_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # CHICKGRAPH_NEO4J_HOME is relative to the working directory
    same_connection({"CHICKGRAPH_BOLT_PORT": "17999", "CHICKGRAPH_NEO4J_HOME": "server",
                     "NEO4J_USERNAME": "reader", "NEO4J_DATABASE": "genes",
                     "NEO4J_PASSWORD": "secret", "CHICKGRAPH_HOME": "ignored-for-home"})
    same_connection({"NEO4J_URI": "neo4j://db.example:7687", "NEO4J_PASSWORD": "secret",
                     "NEO4J_USERNAME": ""})  # empty variables are ignored


@pytest.mark.parametrize("folder", ["config", "elsewhere"])
def test_a_users_config_file(folder: str, tmp_path: Path) -> None:
    config = tmp_path / "project" / folder / "mine.yaml"
    config.parent.mkdir(parents=True)
    config.write_text("neo4j:\n  username: bob\n  connect_timeout_s: 2.5\n  password: pw\n"
                      "  local:\n    bolt_port: 17555\n    home: data/neo4j\n    heap: 1g\n"
                      "ingest:\n  workers: 3\n", encoding="utf-8")
    same_connection({}, config)
    same_connection({"CHICKGRAPH_HOME": str(tmp_path / "state")}, config)
    config.write_text("neo4j:\n  local:\n    home: .local/other\n", encoding="utf-8")
    same_connection({"NEO4J_PASSWORD": "pw"}, config)
    same_connection({"CHICKGRAPH_HOME": str(tmp_path / "state"), "NEO4J_PASSWORD": "pw"}, config)
    config.write_text("", encoding="utf-8")
    same_connection({"NEO4J_PASSWORD": "pw"}, config)


def test_the_local_password_file_is_read(tmp_path: Path) -> None:
    home = tmp_path / "neo4j"
    home.mkdir()
    (home / "password").write_text("from-the-file\n", encoding="utf-8")
    environ = {"CHICKGRAPH_NEO4J_HOME": str(home)}
    assert light.read_connection(environ).neo4j_password() == "from-the-file"
    same_connection(environ)


def test_an_external_server_needs_a_password() -> None:
    fast = light.read_connection({"NEO4J_URI": "bolt://db.example:7687"})
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD is not"):
        fast.neo4j_password()


@pytest.mark.parametrize("text", [
    "neo4j: [1]\n",                        # a section that is not a mapping
    "neo4j:\n  port: 1\n",                 # an unknown key
    "neo4j:\n  local:\n    bolt_port: 70000\n",
    "neo4j:\n  username: 12\n",
    "neo4j:\n  connect_timeout_s: soon\n",
    "neo4j:\n  local: 3\n",
    "nexo4j: {}\n",                        # an unknown section
    "neo4j: {username: [\n",               # not YAML
    "- a list\n",
])
def test_what_it_cannot_vouch_for_goes_to_the_full_settings(text: str, tmp_path: Path) -> None:
    config = tmp_path / "config" / "chickgraph.yaml"
    config.parent.mkdir()
    config.write_text(text, encoding="utf-8")
    environ = {"CHICKGRAPH_CONFIG": str(config)}
    with pytest.raises(light._Unsure):
        light.read_connection(environ)
    with pytest.raises(ConfigError, match=str(config)):  # whose message names the file
        load_settings(environ=environ)


@pytest.mark.parametrize("port", ["http", "0", "-1", "99999", "1.5"])
def test_a_bad_port_variable_goes_to_the_full_settings(port: str) -> None:
    environ = {"CHICKGRAPH_BOLT_PORT": port}
    with pytest.raises(light._Unsure):
        light.read_connection(environ)
    with pytest.raises(ConfigError, match="bolt_port"):
        load_settings(environ=environ)


def test_connection_falls_back_to_the_full_settings(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "bad.yaml"
    config.write_text("neo4j:\n  local:\n    port: 1\n", encoding="utf-8")
    monkeypatch.setenv("CHICKGRAPH_CONFIG", str(config))
    monkeypatch.setattr(light, "_CACHE", [])
    from pipeline import settings

    settings.get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"neo4j\.local\.port"):
            light.connection()
    finally:
        settings.get_settings.cache_clear()
    monkeypatch.delenv("CHICKGRAPH_CONFIG")
    assert light.read_connection({}).neo4j.local.bolt_port == load_settings(
        DEFAULT_CONFIG, environ={}).neo4j.local.bolt_port
