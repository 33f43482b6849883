"""Settings: YAML plus environment overrides, errors that name file and field, secrets masked.

Every test passes `environ` explicitly, so the developer's (and conftest's) environment never
leaks in; configuration files are written under tmp_path/config/, whose parent plays the
repository root.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import yaml

from pipeline.errors import ConfigError
from pipeline.settings import (
    DEFAULT_CONFIG,
    ENV_OVERRIDES,
    Settings,
    checkout_root,
    load_settings,
    local_password,
    state_dir,
)
from tests.conftest import with_local

REPO_ROOT = Path(__file__).resolve().parents[2]

FULL = {
    "neo4j": {"uri": None, "username": "neo4j", "database": "neo4j",
              "local": {"bolt_port": 17687, "home": ".local/neo4j", "java": "java"}},
    "prefect": {"home": ".local/prefect"},
    "ingest": {"source": "../corpus/genes", "chunk_size": 200, "max_page_bytes": 5_000_000,
               "workers": 2},
}
SECRET = "s3cr3t-Pa55w0rd-do-not-print"


def write_config(tmp_path: Path, data: object, name: str = "chickgraph.yaml") -> Path:
    folder = tmp_path / "repo" / "config"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data), encoding="utf-8")
    return path


def repo_of(config: Path) -> Path:
    return config.parent.parent


# ------------------------------------------------------------------ the repository's config


def test_repository_config_loads_with_absolute_paths_under_the_repo() -> None:
    settings = load_settings(DEFAULT_CONFIG, environ={})
    assert settings.config_file == DEFAULT_CONFIG.resolve()
    assert settings.neo4j.external is False
    assert settings.neo4j.password is None
    assert settings.neo4j.effective_uri == f"bolt://127.0.0.1:{settings.neo4j.local.bolt_port}"
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert settings.ingest.source == (REPO_ROOT / raw["ingest"]["source"]).resolve()
    assert settings.neo4j.local.home == (REPO_ROOT / raw["neo4j"]["local"]["home"]).resolve()
    assert settings.prefect.home == (REPO_ROOT / raw["prefect"]["home"]).resolve()
    assert settings.cache_dir == (REPO_ROOT / raw["cache_dir"]).resolve()


def test_the_default_config_is_the_packaged_resource_of_this_checkout() -> None:
    assert checkout_root() == REPO_ROOT
    assert DEFAULT_CONFIG.resolve() == REPO_ROOT / "config" / "chickgraph.yaml"
    assert state_dir({}) == REPO_ROOT / ".local"


def test_chickgraph_home_holds_the_state_of_the_default_config(tmp_path: Path) -> None:
    """`.local/...` paths move under CHICKGRAPH_HOME; other relative paths stay the checkout's."""
    home = tmp_path / "state"
    settings = load_settings(DEFAULT_CONFIG, environ={"CHICKGRAPH_HOME": str(home)})
    raw = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    assert settings.neo4j.local.home == home / "neo4j"
    assert settings.neo4j.local.dist == home / "neo4j-dist"
    assert settings.prefect.home == home / "prefect"
    assert settings.cache_dir == home / "sources"
    assert settings.ingest.source == (REPO_ROOT / raw["ingest"]["source"]).resolve()
    # explicit variables still win over the state dir
    mine = load_settings(DEFAULT_CONFIG, environ={"CHICKGRAPH_HOME": str(home),
                                                  "CHICKGRAPH_NEO4J_HOME": str(tmp_path / "n")})
    assert mine.neo4j.local.home == tmp_path / "n"


def test_the_enrichment_table_is_the_package_s_unless_a_config_names_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An installed copy (no checkout) resolved "config/enrichment.yaml" in its state dir, where
    there is none: `chickgraph enrich` failed with "cannot read enrichment table"."""
    import pipeline.config_paths as config_paths

    packaged = REPO_ROOT / "config" / "enrichment.yaml"  # the package's resource, in a checkout
    monkeypatch.setattr(config_paths, "checkout_root", lambda: None)
    installed = load_settings(DEFAULT_CONFIG, environ={"CHICKGRAPH_HOME": str(tmp_path / "h")})
    assert installed.enrich.table == packaged
    assert installed.enrich.dir == tmp_path / "h" / "enrich"
    own = write_config(tmp_path, {"enrich": {"table": "config/mine.yaml"}})
    assert load_settings(own, environ={}).enrich.table == repo_of(own) / "config" / "mine.yaml"
    assert load_settings(write_config(tmp_path, {}, "other.yaml"), environ={}).enrich.table == \
        packaged


def test_state_dir_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert state_dir({"CHICKGRAPH_HOME": str(tmp_path / "h")}) == tmp_path / "h"
    assert state_dir({}, tmp_path / "project") == tmp_path / "project" / ".local"
    assert state_dir({"CHICKGRAPH_HOME": "~/cg"}, tmp_path) == Path("~/cg").expanduser()


def test_a_config_file_outside_a_config_folder_is_its_own_project(tmp_path: Path) -> None:
    config = tmp_path / "mine.yaml"
    config.write_text(yaml.safe_dump({"neo4j": {"local": {"home": ".local/neo4j"}},
                                      "ingest": {"source": "genes"}}), encoding="utf-8")
    settings = load_settings(config, environ={})
    assert settings.neo4j.local.home == tmp_path / ".local" / "neo4j"
    assert settings.ingest.source == tmp_path / "genes"
    homed = load_settings(config, environ={"CHICKGRAPH_HOME": str(tmp_path / "h")})
    assert homed.neo4j.local.home == tmp_path / "h" / "neo4j"
    assert homed.ingest.source == tmp_path / "genes"


def test_chickgraph_config_variable_selects_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"ingest": {"chunk_size": 7}})
    settings = load_settings(None, environ={"CHICKGRAPH_CONFIG": str(config)})
    assert settings.ingest.chunk_size == 7
    assert settings.config_file == config.resolve()


# ------------------------------------------------------------------ paths


def test_relative_paths_resolve_against_the_repo_root_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, {
        "neo4j": {"local": {"home": "state/neo4j", "dist": "state/dist"}},
        "prefect": {"home": "state/prefect"},
        "ingest": {"source": "../corpus/genes"},
    })
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(config, environ={})
    repo = repo_of(config)
    assert settings.neo4j.local.home == repo / "state" / "neo4j"
    assert settings.neo4j.local.dist == repo / "state" / "dist"
    assert settings.prefect.home == repo / "state" / "prefect"
    assert settings.ingest.source == (repo / ".." / "corpus" / "genes").resolve()
    assert settings.ingest.source.is_absolute()


def test_absolute_and_home_relative_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    config = write_config(tmp_path, {"ingest": {"source": "~/genes"},
                                     "prefect": {"home": str(tmp_path / "abs")}})
    settings = load_settings(config, environ={})
    assert settings.ingest.source == tmp_path / "home" / "genes"
    assert settings.prefect.home == tmp_path / "abs"


def test_default_paths_are_resolved_against_the_repo_root_too(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, "{}\n"), environ={})
    assert settings.neo4j.local.home.is_absolute()
    assert settings.prefect.home.is_absolute()
    assert settings.ingest.source.is_absolute()


# ------------------------------------------------------------------ environment overrides


def test_neo4j_uri_makes_the_server_external(tmp_path: Path) -> None:
    config = write_config(tmp_path, FULL)
    local = load_settings(config, environ={})
    assert local.neo4j.external is False
    assert local.neo4j.effective_uri == "bolt://127.0.0.1:17687"
    remote = load_settings(config, environ={"NEO4J_URI": "neo4j://db.example.org:7687",
                                            "NEO4J_USERNAME": "reader",
                                            "NEO4J_DATABASE": "genes"})
    assert remote.neo4j.external is True
    assert remote.neo4j.uri == remote.neo4j.effective_uri == "neo4j://db.example.org:7687"
    assert (remote.neo4j.username, remote.neo4j.database) == ("reader", "genes")


def test_empty_environment_values_are_ignored(tmp_path: Path) -> None:
    config = write_config(tmp_path, FULL)
    settings = load_settings(config, environ={"NEO4J_URI": "", "CORPUS": ""})
    assert settings.neo4j.external is False
    assert settings.ingest.source == (repo_of(config) / ".." / "corpus" / "genes").resolve()


@pytest.mark.parametrize("variable", ["CORPUS", "CHICKGRAPH_CORPUS"])
def test_corpus_variable_overrides_ingest_source(tmp_path: Path, variable: str) -> None:
    corpus = tmp_path / "other" / "genes"
    settings = load_settings(write_config(tmp_path, FULL), environ={variable: str(corpus)})
    assert settings.ingest.source == corpus


def test_numeric_and_path_overrides(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL), environ={
        "CHICKGRAPH_BOLT_PORT": "17688", "CHICKGRAPH_CHUNK_SIZE": "50",
        "CHICKGRAPH_WORKERS": "3", "CHICKGRAPH_MAX_PAGE_BYTES": "1000",
        "CHICKGRAPH_NEO4J_HOME": str(tmp_path / "h"), "CHICKGRAPH_JAVA": "/opt/java/bin/java",
        "CHICKGRAPH_REPLAN_MIN_NODES": "0",
    })
    assert settings.neo4j.local.bolt_port == 17688
    assert settings.neo4j.effective_uri == "bolt://127.0.0.1:17688"
    assert (settings.ingest.chunk_size, settings.ingest.workers,
            settings.ingest.max_page_bytes, settings.ingest.replan_min_nodes) == (50, 3, 1000, 0)
    assert settings.neo4j.local.home == tmp_path / "h"
    assert settings.neo4j.local.java == "/opt/java/bin/java"


def test_every_documented_variable_maps_to_a_real_setting(tmp_path: Path) -> None:
    config = write_config(tmp_path, FULL)
    defaults = load_settings(config, environ={}).model_dump()
    for variable, dotted in ENV_OVERRIDES.items():
        node = defaults
        for part in dotted.split("."):
            assert part in node, f"{variable} -> {dotted}"
            node = node[part]


@pytest.mark.parametrize("config_text", ["{}\n", "prefect: {home: p}\n"])
def test_environment_overrides_apply_when_the_section_is_absent(
    tmp_path: Path, config_text: str
) -> None:
    corpus = tmp_path / "genes"
    settings = load_settings(write_config(tmp_path, config_text),
                             environ={"NEO4J_URI": "bolt://db:7687", "CORPUS": str(corpus)})
    assert settings.neo4j.external is True
    assert settings.ingest.source == corpus


# ------------------------------------------------------------------ errors


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, "neo4j: [\n")
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ={})
    assert str(config) in str(error.value)
    assert "invalid YAML" in str(error.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config"):
        load_settings(tmp_path / "nope.yaml", environ={})


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    config = write_config(tmp_path, "- a\n- b\n")
    with pytest.raises(ConfigError, match="top level must be a mapping") as error:
        load_settings(config, environ={})
    assert str(config) in str(error.value)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"neo4j": {"bogus": 1}}, "neo4j.bogus"),
        ({"neo4j": {"local": {"heap_size": "2g"}}}, "neo4j.local.heap_size"),
        ({"surprise": True}, "surprise"),
        ({"ingest": {"chunk_size": "abc"}}, "ingest.chunk_size"),
        ({"ingest": {"chunk_size": 0}}, "ingest.chunk_size"),
        ({"ingest": {"workers": -1}}, "ingest.workers"),
        ({"neo4j": {"local": {"bolt_port": 70000}}}, "neo4j.local.bolt_port"),
        ({"neo4j": {"connect_timeout_s": "soon"}}, "neo4j.connect_timeout_s"),
        ({"neo4j": {"local": None}}, "neo4j.local"),
    ],
)
def test_unknown_keys_and_bad_types_name_file_and_field(
    tmp_path: Path, data: dict[str, object], field: str
) -> None:
    config = write_config(tmp_path, data)
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ={})
    message = str(error.value)
    assert message.startswith(f"{config}: {field}: "), message
    assert "\n" not in message


def test_bad_environment_value_names_the_variable_and_the_field(tmp_path: Path) -> None:
    """The file is not blamed for a value it does not hold."""
    config = write_config(tmp_path, FULL)
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ={"CHICKGRAPH_BOLT_PORT": "abc"})
    assert str(error.value).startswith(
        f"CHICKGRAPH_BOLT_PORT='abc' (environment, over {config}): neo4j.local.bolt_port: ")


def test_checkpoint_interval_reaches_the_servers_conf_only_when_set(tmp_path: Path) -> None:
    from pipeline.servers.neo4j_server import ServerLayout, render_conf

    def conf(environ: dict[str, str]) -> list[str]:
        settings = load_settings(write_config(tmp_path, FULL), environ=environ)
        return render_conf(settings, ServerLayout.from_settings(settings)).splitlines()

    default = conf({})
    assert not [line for line in default if line.startswith("db.checkpoint")]
    # every stop of a 5.26 server skips Netty's 5-s quiet period (a server of another version
    # would refuse to start on the unknown key, so it gets none)
    assert "internal.dbms.bolt.netty_server_shutdown_quiet_period=0" in default
    assert "db.checkpoint.interval.time=10s" in conf({"CHICKGRAPH_CHECKPOINT_INTERVAL": "10s"})
    for bad in ("10 seconds", "500ms", "0s"):  # not a duration, below a second, none
        with pytest.raises(ConfigError, match=r"neo4j\.local\.checkpoint_interval"):
            conf({"CHICKGRAPH_CHECKPOINT_INTERVAL": bad})
    settings = load_settings(write_config(tmp_path, FULL), environ={})
    later = with_local(settings, version="2025.10.1")
    assert "netty_server_shutdown" not in render_conf(later, ServerLayout.from_settings(later))


def test_background_index_sampling_is_switched_off_only_when_asked(tmp_path: Path) -> None:
    from pipeline.servers.neo4j_server import ServerLayout, render_conf

    settings = load_settings(write_config(tmp_path, FULL), environ={})
    default = render_conf(settings, ServerLayout.from_settings(settings)).splitlines()
    assert not [line for line in default if line.startswith("db.index_sampling")]
    off = with_local(settings, background_index_sampling=False)
    conf = render_conf(off, ServerLayout.from_settings(off)).splitlines()
    assert "db.index_sampling.background_enabled=false" in conf


def test_the_server_and_neo4j_admin_get_neo4j_s_own_jvm_options(tmp_path: Path) -> None:
    """Started without Neo4j's launcher, the JVMs are given what that launcher would give
    them; the conf names the same options, so it tells the truth about the running server."""
    from pipeline.servers import neo4j_server as ns

    settings = load_settings(write_config(tmp_path, FULL), environ={})
    layout = ns.ServerLayout.from_settings(settings)
    server = ns.server_cmd(settings, layout, "--home-dir=x")
    admin = ns.admin_cmd(settings, layout, "database", "dump", "neo4j")
    for cmd, main in ((server, ns.ENTRY_POINT), (admin, ns.ADMIN_TOOL)):
        jvm_part = cmd[:cmd.index("-cp")]  # JVM options count only before the class path
        for option in ns.MODULE_OPTIONS:
            assert option in jvm_part, (main, option)
        assert cmd[cmd.index("-cp") + 2] == main
    assert admin[-3:] == ["database", "dump", "neo4j"]
    assert {"-XX:+UseG1GC", "-XX:+TrustFinalNonStaticFields",
            "-Dio.netty.tryReflectionSetAccessible=true"} <= set(server)
    assert server[1:3] == ["-Xms4g", "-Xmx4g"] and "-Xmx4g" not in admin
    conf = ns.render_conf(settings, layout).splitlines()
    assert [line.split("=", 1)[1] for line in conf if line.startswith("server.jvm.additional=")
            ] == list(ns.SERVER_JVM_OPTIONS)


@pytest.mark.parametrize("text", ["neo4j: oops\n", "neo4j: [1]\n", "neo4j: {local: x}\n",
                                  "ingest: 5\n", "sources: [a]\n"])
def test_section_of_the_wrong_type_is_a_config_error(tmp_path: Path, text: str) -> None:
    with pytest.raises(ConfigError):
        load_settings(write_config(tmp_path, text), environ={})


def test_path_of_the_wrong_type_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"ingest\.source"):
        load_settings(write_config(tmp_path, {"ingest": {"source": ["a", "b"]}}), environ={})


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL), environ={})
    with pytest.raises(ValueError, match="frozen"):
        settings.ingest.chunk_size = 1  # type: ignore[misc]


# ------------------------------------------------------------------ secrets


def test_masked_never_contains_the_password(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL),
                             environ={"NEO4J_URI": "bolt://db:7687", "NEO4J_PASSWORD": SECRET})
    masked = settings.masked()
    assert SECRET not in json.dumps(masked)
    assert SECRET not in repr(masked)
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    assert masked["neo4j"]["password"] == "********"
    assert masked["neo4j"]["effective_uri"] == "bolt://db:7687"
    assert masked["ingest"]["chunk_size"] == 200
    assert settings.neo4j_password() == SECRET


def test_masked_without_a_password(tmp_path: Path) -> None:
    masked = load_settings(write_config(tmp_path, FULL), environ={}).masked()
    assert masked["neo4j"]["password"] is None
    assert masked["neo4j"]["effective_uri"] == "bolt://127.0.0.1:17687"
    json.dumps(masked)  # plain data


def test_external_server_needs_a_password(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL), environ={"NEO4J_URI": "bolt://db"})
    with pytest.raises(ConfigError, match="NEO4J_PASSWORD"):
        settings.neo4j_password()


def test_local_password_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    home = tmp_path / "neo4j-home"
    first = local_password(home)
    path = home / "password"
    assert len(first) >= 16 and first.strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    inode, mtime = path.stat().st_ino, path.stat().st_mtime_ns
    assert local_password(home) == first
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (inode, mtime)
    assert local_password(tmp_path / "another-home") != first


def test_existing_local_password_is_reused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "password").write_text("given-password\n", encoding="utf-8")
    assert local_password(home) == "given-password"


def test_local_server_password_comes_from_the_neo4j_home(tmp_path: Path) -> None:
    home = tmp_path / "h"
    settings = load_settings(write_config(tmp_path, FULL),
                             environ={"CHICKGRAPH_NEO4J_HOME": str(home)})
    password = settings.neo4j_password()
    assert (home / "password").read_text(encoding="utf-8").strip() == password
    assert password not in json.dumps(settings.masked())
    assert isinstance(settings, Settings)


# ------------------------------------------------------------------ sources (pydantic-settings)


def test_corpus_wins_over_chickgraph_corpus(tmp_path: Path) -> None:
    settings = load_settings(write_config(tmp_path, FULL), environ={
        "CHICKGRAPH_CORPUS": str(tmp_path / "b"), "CORPUS": str(tmp_path / "a")})
    assert settings.ingest.source == tmp_path / "a"


def test_environment_replaces_one_field_and_keeps_the_rest_of_the_section(tmp_path: Path) -> None:
    config = write_config(tmp_path, {"neo4j": {"username": "u", "local": {"heap": "1g"}}})
    settings = load_settings(config, environ={"CHICKGRAPH_BOLT_PORT": "17700"})
    assert (settings.neo4j.username, settings.neo4j.local.heap) == ("u", "1g")
    assert settings.neo4j.local.bolt_port == 17700
    assert settings.neo4j.local.pagecache == "4g"  # the default under both


def test_a_variable_cannot_hide_a_section_of_the_wrong_type(tmp_path: Path) -> None:
    config = write_config(tmp_path, "neo4j: 5\n")
    with pytest.raises(ConfigError) as error:
        load_settings(config, environ={"NEO4J_URI": "bolt://db"})
    assert str(error.value) == (f"{config} (environment NEO4J_URI): neo4j: must be a mapping "
                                "to apply neo4j.uri")


def test_settings_are_built_by_load_settings_only() -> None:
    with pytest.raises(TypeError, match="load_settings"):
        Settings()
