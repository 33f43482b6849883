"""Where settings come from, without pydantic: the environment variables, the state folder
and what relative paths in a config file are relative to.

Two readers share these rules: `pipeline.settings` (the full, validated settings) and
`pipeline.cli.connection` (only the Neo4j connection, for `chickgraph query` and `cypher`,
which answer in about the time of a bare driver script because they skip pydantic).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline import resources

STATE_PREFIX = ".local"  # config paths under it live in the state dir

# Environment variable -> dotted settings path. Explicit, so `--help` and README can list them.
ENV_OVERRIDES: dict[str, str] = {
    "NEO4J_URI": "neo4j.uri",
    "NEO4J_USERNAME": "neo4j.username",
    "NEO4J_PASSWORD": "neo4j.password",
    "NEO4J_DATABASE": "neo4j.database",
    "CHICKGRAPH_BOLT_PORT": "neo4j.local.bolt_port",
    "CHICKGRAPH_HTTP_PORT": "neo4j.local.http_port",
    "CHICKGRAPH_GUIDE_PORT": "neo4j.local.guide_port",
    "CHICKGRAPH_PREFECT_PORT": "prefect.server_port",
    "CHICKGRAPH_PREFECT_HOME": "prefect.home",
    "CHICKGRAPH_NEO4J_HOME": "neo4j.local.home",
    "CHICKGRAPH_JAVA": "neo4j.local.java",
    "CHICKGRAPH_CHECKPOINT_INTERVAL": "neo4j.local.checkpoint_interval",
    "CHICKGRAPH_CORPUS": "ingest.source",
    "CORPUS": "ingest.source",
    "CHICKGRAPH_CHUNK_SIZE": "ingest.chunk_size",
    "CHICKGRAPH_WORKERS": "ingest.workers",
    "CHICKGRAPH_MAX_PAGE_BYTES": "ingest.max_page_bytes",
    "CHICKGRAPH_RECORD_CACHE": "ingest.record_cache",
    "CHICKGRAPH_REPLAN_MIN_NODES": "ingest.replan_min_nodes",
    "CHICKGRAPH_TASK_RUNNER": "ingest.task_runner",
    "CHICKGRAPH_DASK_ADDRESS": "ingest.dask.address",
    "CHICKGRAPH_ENRICH_DIR": "enrich.dir",
}


class Neo4jEndpoint:
    """Where the Neo4j server is: what the full settings (`Neo4jSettings`) and the light
    reader (`cli.connection.Neo4jConnection`) both answer from their `uri` and `local`."""

    if TYPE_CHECKING:  # fields of the subclasses (annotated here, pydantic would order them)
        uri: str | None
        local: Any  # LocalNeo4j or LocalServer: has `bolt_port`

    @property
    def external(self) -> bool:
        """True when NEO4J_URI (or config) names a server: then nothing local is started."""
        return self.uri is not None

    @property
    def effective_uri(self) -> str:
        return self.uri or f"bolt://127.0.0.1:{self.local.bolt_port}"


def default_config() -> Path:
    """The packaged `config/chickgraph.yaml`."""
    return resources.config_file("chickgraph.yaml")


def checkout_root() -> Path | None:
    """The source checkout this package runs from (editable install), None when installed."""
    root = Path(__file__).resolve().parents[1]
    is_checkout = (root / "pyproject.toml").is_file() and (root / "cypher").is_dir()
    return root if is_checkout else None


def state_dir(environ: Mapping[str, str], project: Path | None = None) -> Path:
    """Where state lives: CHICKGRAPH_HOME, else `<project>/.local` (the folder of a config
    file the user chose, or the checkout), else the user's data directory."""
    if environ.get("CHICKGRAPH_HOME"):
        return Path(environ["CHICKGRAPH_HOME"]).expanduser().resolve()
    project = project or checkout_root()
    if project is not None:
        return project / STATE_PREFIX
    import platformdirs

    return Path(platformdirs.user_data_dir("chickgraph", appauthor=False))


@dataclass(frozen=True)
class Roots:
    """What relative config paths are relative to: `.local/...` to the state dir, the rest
    to the project (the config file's repository, the checkout, or the state dir)."""

    project: Path
    state: Path

    def absolute(self, path: Path) -> Path:
        path = path.expanduser()
        if path.is_absolute():
            return path
        if path.parts[:1] == (STATE_PREFIX,):
            return self.state.joinpath(*path.parts[1:])
        return (self.project / path).resolve()


def roots(config: Path, environ: Mapping[str, str]) -> Roots:
    """A user's config file (CHICKGRAPH_CONFIG, or the file given to `load_settings`) is its
    project's: paths relative to the folder above `config/` (or its own folder); the packaged
    default belongs to the checkout when there is one, else to the state dir."""
    if config.resolve() != default_config().resolve():
        folder = config.resolve().parent
        project = folder.parent if folder.name == "config" else folder
        return Roots(project, state_dir(environ, project))
    state = state_dir(environ)
    return Roots(checkout_root() or state, state)
