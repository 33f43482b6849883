"""Reading a curated vocabulary file: a mapping with a `version` and one list of entries.

Shared by the stage table and the anatomy vocabulary so both report problems the same way:
one line naming the file, the entry and the field.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.yamlfile import read_mapping


def describe(error: ValidationError) -> str:
    """pydantic's errors as one line: "field 'kind': Input should be ...; ..."."""
    return "; ".join(
        f"field {'.'.join(str(part) for part in item['loc'])!r}: {item['msg']}"
        for item in error.errors()
    )


Entry = TypeVar("Entry", bound=BaseModel)


def entry_from_row(model: type[Entry], list_key: str, noun: str, position: int, row: Any,
                   prepare: Callable[[dict[str, Any]], dict[str, Any]]) -> Entry:
    """One validated entry of a vocabulary list; errors say which entry (by key) and field."""
    if not isinstance(row, dict):
        raise ValueError(f"{list_key}[{position}]: expected a mapping, got {type(row).__name__}")
    try:
        return model.model_validate(prepare(row))
    except ValidationError as error:
        raise ValueError(f"{noun} {row.get('key', position)!r}: {describe(error)}") from error


def read_table(source: Path, list_key: str) -> tuple[str, list[Any]]:
    """(version, entries) of a vocabulary file; ValueError naming the file otherwise."""
    shape = f"a mapping with a '{list_key}' list"
    document = read_mapping(source, what="vocabulary", error=ValueError, shape=shape)
    if not isinstance(document.get(list_key), list):
        raise ValueError(f"{source}: top level must be {shape}")
    version = document.get("version")
    if not isinstance(version, str) or not version:
        raise ValueError(f"{source}: field 'version' must be a non-empty string")
    return version, document[list_key]
