"""The files the package ships besides code: Cypher, the default config, vocabularies, the POM.

They stay at the top of the repository (`cypher/`, `config/`) where readers look for them;
the build maps those folders into the wheel as `pipeline.resources.cypher` and
`pipeline.resources.config` (see setup.py), and an editable install maps the same names onto
the checkout's folders. Code reads them only through `importlib.resources`, so an installed
package and a checkout resolve them the same way.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

CYPHER = "pipeline.resources.cypher"
CONFIG = "pipeline.resources.config"


def _folder(package: str) -> Path:
    """The resource package's folder; resources must be plain files (Neo4j and Maven read them)."""
    folder = files(package)
    if not isinstance(folder, Path):  # e.g. a zipped install: nothing here can read it
        raise RuntimeError(f"{package}: resources are not on the file system ({folder!r})")
    return folder


def cypher_dir() -> Path:
    """The `cypher/` folder: schema, load, queries, admin, stats, export."""
    return _folder(CYPHER)


def config_file(name: str) -> Path:
    """A file of the `config/` folder: chickgraph.yaml, stages.yaml, anatomy.yaml, neo4j/pom.xml."""
    return _folder(CONFIG) / name
