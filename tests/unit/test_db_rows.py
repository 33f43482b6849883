"""db._row: the fast path for plain rows gives exactly what `Record.data()` gives."""

from __future__ import annotations

from typing import Any

import neo4j
import pytest
from neo4j.graph import Graph, Node
from neo4j.time import Date

from pipeline.load import db


def _node() -> Node:
    return Node(Graph(), "4:x:7", 7, {"Gene"}, {"symbol": "ALAS2"})


@pytest.mark.parametrize("values", [
    ("ALAS2", 3, 2.5, True, None),
    (["HH10", "HH12"], [], [1, None, 2.0]),
    ({"a": 1}, "map falls back"),
    ([{"a": [1]}], "list of maps falls back"),
    (Date(2025, 11, 29), [Date(2025, 11, 29)]),
    (_node(), [_node()]),
])
def test_row_equals_record_data(values: tuple[Any, ...]) -> None:
    keys = [f"k{i}" for i in range(len(values))]
    record = neo4j.Record(zip(keys, values, strict=True))
    row = db._row(keys, record)
    assert row == record.data()
    assert list(row) == keys


def test_nodes_are_exported_as_property_maps() -> None:
    record = neo4j.Record({"g": _node(), "s": "x"})
    assert db._row(["g", "s"], record) == {"g": {"symbol": "ALAS2"}, "s": "x"}
