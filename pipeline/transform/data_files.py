"""Shared helpers for the release's JSON data files: decode, and report problems per field.

A data file that cannot be decoded is reported (file, field, reason) and contributes
nothing; the pages still load. Pure: bytes in, values and problems out.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pipeline.extract.pages import PageIssue


def decode_list(path: str, content: bytes,
                object_pairs_hook: Callable[[list[tuple[str, Any]]], Any] | None = None,
                ) -> tuple[list[Any] | None, list[PageIssue]]:
    """The file's top-level JSON list, or None and one problem naming the file.
    `object_pairs_hook` builds each JSON object (json.loads's): a caller drops there what it
    never reads, before the whole file is in memory."""
    try:
        value = json.loads(content, object_pairs_hook=object_pairs_hook)
    except UnicodeDecodeError as exc:
        return None, [PageIssue(path, "(file)", f"not UTF-8: {exc.reason}; file skipped")]
    except json.JSONDecodeError as exc:
        return None, [PageIssue(path, "(file)", f"invalid JSON at line {exc.lineno} column "
                                                f"{exc.colno}: {exc.msg}; file skipped")]
    if not isinstance(value, list):
        return None, [PageIssue(path, "(file)", f"expected a JSON list, got "
                                                f"{type(value).__name__}; file skipped")]
    return value, []


def type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__
