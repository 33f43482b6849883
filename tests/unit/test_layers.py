"""The import rule of docs/layout.md: each subpackage of `pipeline` imports only the ones its
tree lists before it, so the tree reads in the order data and control flow. The order is read
from the document itself, so the two cannot drift apart."""

from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "pipeline"
LAYOUT = REPO / "docs" / "layout.md"


def documented_order() -> list[str]:
    """The subpackages in the order docs/layout.md's tree lists them."""
    tree = LAYOUT.read_text(encoding="utf-8").split("```text", 1)[1].split("```", 1)[0]
    return re.findall(r"^  ([a-z_]+)/ ", tree, flags=re.MULTILINE)


def imported_subpackages(path: Path) -> set[str]:
    """Every `pipeline.<name>` a module imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {name.split(".")[1] for name in names
                  if name.startswith("pipeline.") and len(name.split(".")) > 1}
    return found


def test_the_tree_lists_every_subpackage() -> None:
    order = documented_order()
    on_disk = sorted(p.name for p in PACKAGE.iterdir()
                     if p.is_dir() and (p / "__init__.py").is_file())
    assert sorted(order) == on_disk, (order, on_disk)


def test_each_subpackage_imports_only_those_listed_before_it() -> None:
    order = documented_order()
    wrong = {}
    for position, name in enumerate(order):
        allowed = set(order[:position + 1])
        for module in sorted((PACKAGE / name).rglob("*.py")):
            later = {sub for sub in imported_subpackages(module) if sub in order} - allowed
            if later:
                wrong[str(module.relative_to(REPO))] = sorted(later)
    assert wrong == {}, wrong


def test_the_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import os\nfrom pipeline.load import db\n\n\ndef f():\n"
                      "    from pipeline.flow.flows import ingest_flow\n    import pipeline.cli\n")
    assert imported_subpackages(module) == {"load", "flow", "cli"}
