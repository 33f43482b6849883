"""Build glue that pyproject.toml cannot express: ship the repository's top-level `cypher/` and
`config/` folders inside the package, as `pipeline.resources.cypher` and
`pipeline.resources.config` (read through importlib.resources; see pipeline/resources).
Everything else about the package is declared in pyproject.toml.
"""

from setuptools import find_packages, setup

RESOURCES = {"pipeline.resources.cypher": "cypher", "pipeline.resources.config": "config"}

setup(
    packages=[*find_packages(include=["pipeline", "pipeline.*"]), *RESOURCES],
    package_dir=RESOURCES,
    package_data={name: ["**/*.cypher", "**/*.yaml", "**/*.xml"] for name in RESOURCES},
)
