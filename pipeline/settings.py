"""Settings: `config/chickgraph.yaml` read once into a frozen object, environment on top.

One typed object instead of scattered `os.environ` look-ups, so every command sees the same
effective configuration and `chickgraph config show` can print exactly what is used.

State (Neo4j home and jars, Prefect home, password, git sources) lives in one folder, the
"state dir": `CHICKGRAPH_HOME` when set, else the checkout's `.local/` when the package runs
from a source checkout, else the user's data directory. Paths written `.local/...` in the
config mean that folder, so the same default config serves a checkout and an installed package.

Sources: `Settings` is a pydantic-settings `BaseSettings`; its `settings_customise_sources`
stacks, highest first, the values `load_settings` passes itself (the file's own path), the
environment and the YAML file. pydantic-settings deep-merges them (a variable replaces one
field and leaves the rest of its section from the file) and the result is validated once.

Kept by hand, and why:
- The variable names (`ENV_OVERRIDES`). pydantic-settings' env source maps a variable onto a
  top-level field, or onto a nested one through a prefix and a delimiter
  (`CHICKGRAPH_NEO4J__LOCAL__BOLT_PORT`); the documented names (`NEO4J_URI`, `CORPUS`,
  `CHICKGRAPH_BOLT_PORT`) follow no such rule, and renaming them would break every user's
  environment. So `_EnvironmentSource` is a custom source that places each documented variable
  on its field, reading an explicit mapping (tests pass one instead of changing os.environ).
- The file. pydantic-settings' `YamlConfigSettingsSource` is used, but its file reading is
  replaced by `pipeline.yamlfile.read_mapping`: the library skips a missing file silently and
  lets read and YAML errors out as they are, where the CLI wants a one-line ConfigError.
- Relative paths. They are resolved after validation against the project or the state dir
  (`config_paths.Roots`): pydantic-settings has no notion of paths relative to a config file.
- Which file and environment. `settings_customise_sources` is a classmethod without
  arguments of its own, so `load_settings` hands it the file and the mapping through a
  context variable (`_INPUTS`), set only while it builds the object.

A second, smaller reader: `chickgraph query` and `cypher` take their connection (the `neo4j`
section, its variables, the same path rules of `pipeline.config_paths`) from
`pipeline.cli.connection`, which needs no pydantic and hands anything unusual back to
`get_settings()`. A change to the neo4j fields here must be made there too;
tests/unit/test_cli_connection.py compares the two.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    YamlConfigSettingsSource,
)

from pipeline import resources
from pipeline.config_paths import (  # noqa: F401  (STATE_PREFIX, checkout_root: re-exported)
    ENV_OVERRIDES,
    STATE_PREFIX,
    Neo4jEndpoint,
    Roots,
    checkout_root,
    roots,
    state_dir,
)
from pipeline.errors import ConfigError
from pipeline.yamlfile import read_mapping

DEFAULT_CONFIG = resources.config_file("chickgraph.yaml")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LocalNeo4j(_Frozen):
    version: str = "5.26.30"
    bolt_port: int = Field(17687, ge=1, le=65535)
    home: Path = Path(".local/neo4j")
    dist: Path = Path(".local/neo4j-dist")
    java: str = "java"
    heap: str = "4g"  # see config/chickgraph.yaml
    pagecache: str = "4g"
    start_timeout_s: float = 180
    # db.checkpoint.interval.time (Neo4j's default when None: 15m). A server that is killed
    # replays every transaction since its last checkpoint when it starts again; the tests,
    # which kill theirs on purpose, use a short one (tests/conftest.py). Whole seconds,
    # minutes or hours: a subset of Neo4j's durations, and nothing below a second
    checkpoint_interval: str | None = Field(None, pattern=r"^[1-9][0-9]*(s|m|h)$")
    # db.index_sampling.background_enabled. Off, an index keeps the sample it had (an empty
    # one, after a wipe) however much is written, which is how the planner's statistics lag
    # the graph at the end of a first load: tests/integration/test_stale_statistics.py makes
    # that state on purpose. Leave it on otherwise
    background_index_sampling: bool = True
    # Neo4j Browser (HTTP) and its ChickGraph guide; None: Bolt's port + 1000 / + 2000, so
    # every server (make run, tests, bench) gets its own pair without configuration
    http_port: int | None = Field(None, ge=1, le=65535)
    guide_port: int | None = Field(None, ge=1, le=65535)

    @property
    def browser_http_port(self) -> int:
        return self.http_port or _derived_port(self.bolt_port + 1000, "http_port")

    @property
    def browser_guide_port(self) -> int:
        return self.guide_port or _derived_port(self.bolt_port + 2000, "guide_port")


def _derived_port(port: int, field: str) -> int:
    if port > 65535:
        raise ConfigError(f"neo4j.local.{field}: the port derived from bolt_port ({port}) is "
                          f"above 65535; set {field}")
    return port


class Neo4jSettings(Neo4jEndpoint, _Frozen):
    uri: str | None = None
    username: str = "neo4j"
    password: SecretStr | None = None
    database: str = "neo4j"
    connect_timeout_s: float = 5
    local: LocalNeo4j = LocalNeo4j()


class PrefectSettings(_Frozen):
    home: Path = Path(".local/prefect")
    ephemeral_startup_timeout_s: float = 180
    server_port: int = Field(14200, ge=1, le=65535)


class FolderSource(_Frozen):
    """A folder of pages on this machine."""

    kind: Literal["folder"] = "folder"
    path: Path


class GitSource(_Frozen):
    """A git repository (URL or local path), a branch and the sub-folder holding the pages."""

    kind: Literal["git"] = "git"
    url: str
    branch: str = "main"
    subdir: str = ""


Source = Annotated[FolderSource | GitSource, Field(discriminator="kind")]


class ScheduleSettings(_Frozen):
    cron: str = "0 3 * * *"
    timezone: str = "UTC"
    source: str = "default"
    deployment: str = "chickgraph-scheduled"


class DaskSettings(_Frozen):
    """Where the flow's tasks run when `ingest.task_runner` is `dask`."""

    # scheduler address (tcp://host:8786); None: a temporary local cluster per run
    address: str | None = None


class IngestSettings(_Frozen):
    source: Path = Path("../shared/corpus/chickybase-2025-11-29/genes")
    chunk_size: int = Field(200, ge=1)
    max_page_bytes: int = Field(5_000_000, ge=1)
    # threads: parse in a local process pool of `workers`; dask: every task on a Dask cluster,
    # `workers` chunks in flight (set it to the cluster's worker count)
    workers: int = Field(2, ge=1)
    task_runner: Literal["threads", "dask"] = "threads"
    dask: DaskSettings = DaskSettings()
    # transformed pages kept by path + content (pipeline/ingest/record_cache.py); null: off
    record_cache: Path | None = Path(".local/records")
    # a run that changed the graph ends by replanning (flows.refresh_statistics) only when the
    # graph then holds at least this many nodes: below it every plan is cheap, and the cleared
    # plan caches cost the next run ~50 ms of planning per statement (ingest.core.worth_replanning)
    replan_min_nodes: int = Field(5_000, ge=0)


class EnrichSettings(_Frozen):
    """Annotation databases (config/enrichment.yaml) and where obtained copies are cached."""

    # the table the package ships unless the config names another: as a path relative to the
    # project, "config/enrichment.yaml" was looked for in the state dir of an installed copy
    table: Path = Field(default_factory=lambda: resources.config_file("enrichment.yaml"))
    dir: Path = Path(".local/enrich")
    # species (or database names) re-applied at the end of every ingest; a database already
    # applied to the graph (an (:Enrichment) node) is re-applied whether listed or not
    species: list[str] = Field(default_factory=list)


class Settings(BaseSettings):
    """The effective settings; build them with `load_settings` (see the module docstring)."""

    model_config = SettingsConfigDict(frozen=True, extra="forbid")

    neo4j: Neo4jSettings = Neo4jSettings()
    prefect: PrefectSettings = PrefectSettings()
    ingest: IngestSettings = IngestSettings()
    sources: dict[str, Source] = Field(default_factory=dict)
    schedule: ScheduleSettings = ScheduleSettings()
    enrich: EnrichSettings = EnrichSettings()
    cache_dir: Path = Path(".local/sources")
    config_file: Path | None = None

    def neo4j_password(self) -> str:
        """The password to use: NEO4J_PASSWORD, else the local server's generated one."""
        if self.neo4j.password is not None:
            return self.neo4j.password.get_secret_value()
        if self.neo4j.external:
            raise ConfigError("NEO4J_URI is set but NEO4J_PASSWORD is not")
        return local_password(self.neo4j.local.home)

    def masked(self) -> dict[str, Any]:
        """The effective settings as plain data, secrets masked, for `config show`."""
        data = self.model_dump(mode="json")
        data["neo4j"]["password"] = "********" if self.neo4j.password else None
        data["neo4j"]["effective_uri"] = self.neo4j.effective_uri
        return data

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Highest first: load_settings' own values, the environment, the YAML file."""
        inputs = _INPUTS.get(None)
        if inputs is None:
            raise TypeError("Settings are built by load_settings(), which names their sources")
        file = _YamlFileSource(settings_cls, inputs.path)
        return init_settings, _EnvironmentSource(settings_cls, inputs, file.yaml_data), file


def local_password(home: Path) -> str:
    """Read, or create once, the local server's password (git-ignored, mode 0600)."""
    path = home / "password"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(18)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(password + "\n")
    return password



@dataclass(frozen=True)
class _Inputs:
    """What one `load_settings` call reads: the config file and the environment."""

    path: Path
    environ: Mapping[str, str]


_INPUTS: ContextVar[_Inputs] = ContextVar("chickgraph_settings_inputs")


class _YamlFileSource(YamlConfigSettingsSource):
    """pydantic-settings' YAML source, reading one file that must exist (errors name it)."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path) -> None:
        super().__init__(settings_cls, yaml_file=path)

    def _read_files(self, files: Any, deep_merge: bool = False) -> dict[str, Any]:
        return read_mapping(Path(files), what="config", error=ConfigError)


class _EnvironmentSource(PydanticBaseSettingsSource):
    """The documented variables (ENV_OVERRIDES), each placed on its field; empty ones ignored.

    `file_data` is the YAML below: a section the file gives as something other than a mapping
    cannot take a variable's field (the merge would silently replace it), so that is an error.
    """

    def __init__(self, settings_cls: type[BaseSettings], inputs: _Inputs,
                 file_data: Mapping[str, Any]) -> None:
        super().__init__(settings_cls)
        self.inputs, self.file_data = inputs, file_data

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # values are placed by path in __call__

    def __call__(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for var, dotted in ENV_OVERRIDES.items():
            value: Any = self.inputs.environ.get(var)
            if not value:
                continue
            self._check_file_sections(var, dotted)
            if dotted.endswith(("home", "source", ".dir", "record_cache")):
                value = Path(value).expanduser().resolve()  # typed by the user: cwd-relative
            *parents, leaf = dotted.split(".")
            node = data
            for part in parents:
                node = node.setdefault(part, {})
            node[leaf] = value
        return data

    def _check_file_sections(self, var: str, dotted: str) -> None:
        parents = dotted.split(".")[:-1]
        node: Any = self.file_data
        for depth, part in enumerate(parents):
            node = node.get(part)
            if node is None:
                return
            if not isinstance(node, dict):
                where = ".".join(parents[: depth + 1])
                raise ConfigError(f"{self.inputs.path} (environment {var}): {where}: must be a "
                                  f"mapping to apply {dotted}")


def _is_local_path(url: str) -> bool:
    """A git `url` that is a path on this machine (relative paths are the repo's)."""
    return bool(url) and "://" not in url and not url.startswith("git@")


def _resolve_paths(settings: Settings, roots: Roots) -> Settings:
    """Relative paths (from the file or the defaults) made absolute (see Roots)."""
    _absolute = roots.absolute
    local = settings.neo4j.local
    sources: dict[str, FolderSource | GitSource] = {}
    for name, source in settings.sources.items():
        if isinstance(source, FolderSource):
            sources[name] = source.model_copy(update={"path": _absolute(source.path)})
        elif _is_local_path(source.url):
            sources[name] = source.model_copy(
                update={"url": str(_absolute(Path(source.url)))})
        else:
            sources[name] = source
    return settings.model_copy(update={
        "neo4j": settings.neo4j.model_copy(update={"local": local.model_copy(update={
            "home": _absolute(local.home), "dist": _absolute(local.dist)})}),
        "prefect": settings.prefect.model_copy(
            update={"home": _absolute(settings.prefect.home)}),
        "ingest": settings.ingest.model_copy(update={
            "source": _absolute(settings.ingest.source),
            "record_cache": (None if settings.ingest.record_cache is None
                             else _absolute(settings.ingest.record_cache))}),
        "cache_dir": _absolute(settings.cache_dir),
        "enrich": settings.enrich.model_copy(update={
            "table": _absolute(settings.enrich.table), "dir": _absolute(settings.enrich.dir)}),
        "sources": sources,
    })


def load_settings(
    config_file: Path | None = None, environ: Mapping[str, str] | None = None
) -> Settings:
    """Build settings from the YAML file and the environment (os.environ unless `environ` is
    given); errors name the file and the field."""
    env = dict(os.environ if environ is None else environ)
    path = Path(config_file or env.get("CHICKGRAPH_CONFIG") or DEFAULT_CONFIG)
    token = _INPUTS.set(_Inputs(path, env))
    try:
        settings = Settings(config_file=path.resolve())
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{_origin(field, path, env)}: {field}: {first['msg']}") from exc
    finally:
        _INPUTS.reset(token)
    return _resolve_paths(settings, roots(path, env))


def _origin(field: str, path: Path, env: Mapping[str, str]) -> str:
    """Where a bad value came from: the variable that set the field, when one did (it wins
    over the file), else the file."""
    for name, target in ENV_OVERRIDES.items():
        if target == field and env.get(name) is not None:
            return f"{name}={env[name]!r} (environment, over {path})"
    return str(path)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return load_settings()
