"""Build glue that pyproject.toml cannot express: ship the repository's top-level `cypher/` and
`config/` folders inside the package, as `pipeline.resources.cypher` and
`pipeline.resources.config` (read through importlib.resources; see pipeline/resources).
Everything else about the package is declared in pyproject.toml.

Their subfolders (`cypher/load`, `config/neo4j`, ...) are mapped too, as packages without
code: setuptools warns, once per folder and at every install, that a folder of package data
it is not told about "would be ignored" by a future release.
"""

from pathlib import Path

from setuptools import find_packages, setup

FOLDERS = {"pipeline.resources.cypher": "cypher", "pipeline.resources.config": "config"}


def packages_of(package: str, folder: str) -> dict[str, str]:
    """`folder` as `package`, and each subfolder as a package below it: `cypher/load` as
    `pipeline.resources.cypher.load`."""
    subfolders = [sub for sub in sorted(Path(folder).rglob("*"))
                  if sub.is_dir() and sub.name != "__pycache__"]
    return {package: folder} | {".".join((package, *sub.relative_to(folder).parts)):
                                sub.as_posix() for sub in subfolders}


RESOURCES = {name: path for package, folder in FOLDERS.items()
             for name, path in packages_of(package, folder).items()}

setup(
    packages=[*find_packages(include=["pipeline", "pipeline.*"]), *RESOURCES],
    package_dir=RESOURCES,
    package_data={name: ["*.cypher", "*.yaml", "*.xml"] for name in RESOURCES},
)
