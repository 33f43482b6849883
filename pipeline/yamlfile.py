"""Reading a YAML file whose top level is a mapping, with one-line errors that name the file.

Shared by the settings (`config/chickgraph.yaml`), the enrichment table and the curated
vocabularies; each passes the error type its callers catch and says what it reads.

`Loader` is libyaml's when PyYAML has it, SafeLoader otherwise (the pages' loader builds on it
too). The pure-Python SafeLoader took 14 ms for config/chickgraph.yaml, a sixth of what
`chickgraph query` adds to a bare driver script.
Both build the same objects (tests/unit/test_yamlfile.py checks every shipped file).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(
    path: Path, *, what: str, error: type[Exception] = ValueError, shape: str = "a mapping"
) -> dict[str, Any]:
    """The file's top-level mapping (an empty file is an empty mapping); `error` otherwise:
    "<path>: cannot read <what>: ...", "<path>: invalid YAML: ..." or
    "<path>: top level must be <shape>"."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=Loader)
    except OSError as exc:
        raise error(f"{path}: cannot read {what}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: invalid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f"{path}: top level must be {shape}")
    return data
