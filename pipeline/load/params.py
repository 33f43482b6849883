"""Query parameters as the driver should see them: list values that it logs by their length.

The official driver (neo4j 6.4, the newest release) builds its debug line for every RUN message,
`repr` of the whole parameter map included, before the logger checks its level. A chunk's rows
are 73 MB of that text for the corpus: 0.57 s of client CPU per cold load, holding the GIL
while the server waits for the statement (py-spy: `Bolt5x5.run`, not the packing, was the
writer thread's largest self time). A list whose `repr` is its length costs nothing there and
is packed as the list it is: both of the driver's packers test `isinstance(value, list)`
(tests/unit/test_params.py packs one with each and compares the bytes).

Also the one form of the `*_at` values the pipeline writes (`timestamp`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any


def timestamp() -> str:
    """A `*_at` value (run-specific, so graph_dump leaves it out): UTC, ISO 8601 to the
    millisecond, so that the strings sort in time order (the lock's heartbeat, runs)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Batch(list[Any]):
    """A list parameter; `repr` says how many items it holds, not what they are."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<{len(self)} items>"


def for_driver(params: Mapping[str, Any] | None = None, **named: Any) -> dict[str, Any]:
    """The parameters with every top-level list as `Batch` (a shallow copy: the items are
    shared). Lists inside a `Batch` are never formatted (its `repr` stops there); a list
    inside a map parameter still is, so big lists go to the top level."""
    merged = {**(params or {}), **named}
    return {key: Batch(value) if type(value) is list else value
            for key, value in merged.items()}
