"""The statements of a chunk transaction keep their first plan (pipeline/load/writer.py)."""

from __future__ import annotations

import ast
import inspect
import textwrap

from pipeline.load import cypher_files, lock, writer
from pipeline.load.rows import CHUNK_STATEMENTS

REPLAN_SKIP = "CYPHER replan=skip"


def _first_line(name: str) -> str:
    """The statement's first line that is not a comment."""
    return next(line for line in cypher_files.load(name).splitlines()
                if line.strip() and not line.lstrip().startswith("//"))


def test_every_chunk_statement_keeps_its_first_plan() -> None:
    assert [name for name in writer.CHUNK_FILES if _first_line(name) != REPLAN_SKIP] == []


def _loaded_names(function: object) -> set[str]:
    """The Cypher files a function loads by a literal name."""
    source = inspect.getsource(function)  # type: ignore[arg-type]
    return {node.args[0].value for node in ast.walk(ast.parse(textwrap.dedent(source)))
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "load"
            and node.args and isinstance(node.args[0], ast.Constant)}


def test_chunk_files_name_every_statement_a_chunk_runs() -> None:
    """What `_write_chunk` and `lock.mark_chunk` load, and the rows' statements; no file
    twice."""
    run = (_loaded_names(writer._write_chunk) | _loaded_names(lock.mark_chunk)
           | {f"load/{name}" for name in CHUNK_STATEMENTS})
    assert len(run) > len(CHUNK_STATEMENTS)
    assert sorted(writer.CHUNK_FILES) == sorted(run)


def test_no_other_load_statement_skips_replanning() -> None:
    """Statements that run once a run (garbage collection, sites, release data) are planned
    on the statistics of their time: their plans may scan, and a scan's best order changes
    as the graph grows."""
    others = {f"load/{path.stem}" for path in cypher_files.available("load")} \
        - set(writer.CHUNK_FILES)
    assert others
    assert [name for name in sorted(others) if REPLAN_SKIP in cypher_files.load(name)] == []
