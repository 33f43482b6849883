"""Cypher lives in `cypher/*.cypher` files and is loaded by name, never built from values.

The folder ships inside the package (`pipeline.resources.cypher`), so names resolve the same
from a checkout and from an installed wheel.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pipeline.resources import cypher_dir

_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-/]*$")


@cache
def load(name: str) -> str:
    """The text of `cypher/<name>.cypher`; names are checked so no path escapes the folder."""
    if not _NAME.match(name):
        raise ValueError(f"invalid Cypher file name {name!r}")
    path = cypher_dir() / f"{name}.cypher"
    if not path.exists():
        raise FileNotFoundError(f"no Cypher file {path}")
    return path.read_text(encoding="utf-8")


def statements(name: str) -> list[str]:
    """Split a multi-statement file (schema) on `;` at line ends, dropping `//` comments."""
    text = "\n".join(
        line for line in load(name).splitlines() if not line.lstrip().startswith("//")
    )
    return [part.strip() for part in re.split(r";\s*(?:\n|$)", text) if part.strip()]


def available(folder: str = "") -> list[Path]:
    """Cypher files below `cypher/<folder>`, sorted."""
    return sorted((cypher_dir() / folder).glob("*.cypher"))

