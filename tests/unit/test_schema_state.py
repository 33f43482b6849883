"""Whether the schema is in place, from the names in cypher/schema.cypher and one
`SHOW INDEXES` (pipeline/load/schema_state.py). Pure: rows are written by hand."""

from __future__ import annotations

from typing import Any

import pytest

from pipeline.load import cypher_files, schema_state
from pipeline.load.schema_state import SchemaNames


def test_every_statement_of_the_schema_file_is_named() -> None:
    statements = cypher_files.statements("schema")
    found = schema_state.names(statements)
    assert found is not None, "a statement the check cannot read: every run would apply all"
    assert len(found.created) + len(found.dropped) == len(statements)
    assert found.created["gene_key"] == "constraint"
    assert found.created["gene_symbol"] == "index"
    assert found.created["expressed_in_site"] == "index"
    assert "expressed_in_stage" in found.dropped


def test_names_reads_statements_over_several_lines() -> None:
    found = schema_state.names([
        "CREATE INDEX a IF NOT EXISTS\nFOR ()-[r:R]-() ON (r.x)",
        "create constraint b if not exists for (n:B) require n.key is unique",
        "DROP INDEX c IF EXISTS",
    ])
    assert found == SchemaNames({"a": "index", "b": "constraint"}, frozenset({"c"}))


@pytest.mark.parametrize("statement", [
    "CREATE INDEX FOR (n:A) ON (n.x)",  # unnamed: SHOW INDEXES could not find it
    "CREATE INDEX a FOR (n:A) ON (n.x)",  # no IF NOT EXISTS: not idempotent
    "CALL db.awaitIndexes()",
])
def test_a_statement_the_check_cannot_read_means_apply_everything(statement: str) -> None:
    assert schema_state.names(["CREATE INDEX ok IF NOT EXISTS FOR (n:A) ON (n.y)",
                               statement]) is None


EXPECTED = SchemaNames({"k": "constraint", "i": "index"}, frozenset({"old"}))


def row(name: str, state: str = "ONLINE", owner: str | None = None) -> dict[str, Any]:
    return {"name": name, "state": state, "owningConstraint": owner}


def test_in_place_when_everything_is_online() -> None:
    rows = [row("k", owner="k"), row("i"), row("index_343aff4e")]  # others do not matter
    assert schema_state.in_place(EXPECTED, rows)


@pytest.mark.parametrize(("rows", "why"), [
    ([row("k", owner="k")], "an index is missing"),
    ([row("i")], "a constraint is missing"),
    ([row("k", owner="k"), row("i", state="POPULATING")], "an index is not online yet"),
    ([row("k", owner="k"), row("i", state="FAILED")], "an index failed"),
    ([row("k"), row("i")], "a plain index where the constraint should be"),
    ([row("k", owner="k"), row("i", owner="i")], "a constraint where the index should be"),
    ([row("k", owner="k"), row("i"), row("old")], "an index the file drops is still there"),
])
def test_not_in_place(rows: list[dict[str, Any]], why: str) -> None:
    assert not schema_state.in_place(EXPECTED, rows), why
