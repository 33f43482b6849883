"""Security: hostile page content stays data, Cypher is never built from values, the
read-only path is read-only, and the local server is private (loopback, auth, no leaked
password).

The hostile pages (`tests/fixtures/hostile/`) put Cypher, shell, template and Rich-markup
metacharacters, newlines and unicode in symbols, names, captions, locations, stage labels,
ortholog ids, source names, unknown keys and the file name itself. Loaded next to
`tests/fixtures/sync`, they must come back verbatim and leave the rest of the graph alone.
"""

from __future__ import annotations

import ast
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.load import cypher_files, db
from pipeline.queries import graph_dump
from pipeline.queries.export import export_page
from pipeline.servers import neo4j_server
from tests.conftest import FIXTURES, REPO, load_fresh, mark_loaded

SYNC = FIXTURES / "sync"
HOSTILE = FIXTURES / "hostile"
PIPELINE = REPO / "pipeline"
BULK = "bench/bulk.py"

integration = pytest.mark.integration

EVIL1 = "x'}) DETACH DELETE n //"  # symbol of EVIL1.md (keyed by symbol: no gene_id)
EVIL2_FILE = "o'brien $HOME;rm.md"
EVIL2 = "$(rm -rf /); `reboot`"
EVIL3 = "[/] [bold red]RICH[/bold red]"  # Rich console markup


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args], capture_output=True, text=True,
        env={**os.environ, **(env or {})}, timeout=timeout, cwd=REPO, check=False,
    )


def front_matter(path: Path) -> dict[str, Any]:
    """The page's front matter, parsed with plain PyYAML (not the pipeline's own reader)."""
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---", 2)[1])


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
    assert "Traceback" not in result.stderr and len(lines) == 1, result.stderr[-3000:]
    return lines[0]


# --------------------------------------------------------------------------- hostile pages


@dataclass
class HostileGraph:
    driver: Any
    folder: Path
    baseline: graph_dump.GraphDump  # a fresh load of tests/fixtures/sync alone
    baseline_counts: dict[str, int]
    baseline_exports: dict[str, dict[str, Any]]


def label_counts(driver: Any, settings: Any) -> dict[str, int]:
    rows = db.run_read(driver, settings,
                       "MATCH (n) WHERE NOT n:IngestRun AND NOT n:IngestLock "
                       "UNWIND labels(n) AS label RETURN label, count(*) AS n")
    return {r["label"]: r["n"] for r in rows}


@pytest.fixture(scope="module")
def hostile_graph(
    driver: Any, settings: Any, prefect_harness: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[HostileGraph]:
    """tests/fixtures/sync plus the hostile pages, loaded by the flow (baseline kept)."""
    folder = tmp_path_factory.mktemp("hostile") / "pages"
    shutil.copytree(SYNC, folder)
    load_fresh(driver, settings, folder)
    baseline = graph_dump.dump(driver, settings)
    counts = label_counts(driver, settings)
    exports = {p: export_page(driver, settings, path=p)[0][1]
               for p in ("GENEA.md", "GENEB.md", "GENEC.md")}
    for page in HOSTILE.glob("*.md"):
        shutil.copy(page, folder / page.name)
    mark_loaded(None)
    from pipeline.flow.flows import ingest_flow

    summary = ingest_flow(str(folder))
    assert (summary.pages_loaded, summary.pages_unchanged, summary.pages_failed) == (3, 3, 0), \
        summary.errors
    yield HostileGraph(driver, folder, baseline, counts, exports)
    mark_loaded(None)


def hostile_pages() -> list[Path]:
    pages = sorted(HOSTILE.glob("*.md"))
    assert len(pages) == 3 and (HOSTILE / EVIL2_FILE).exists()
    return pages


@integration
def test_hostile_pages_come_back_verbatim(hostile_graph: HostileGraph, settings: Any) -> None:
    driver = hostile_graph.driver
    for page in hostile_pages():
        parsed = front_matter(page)
        [(path, exported)] = export_page(driver, settings, path=page.name)
        assert path == page.name
        assert exported == parsed, page.name
        assert list(exported) == list(parsed), page.name  # key order too
    by_symbol = export_page(driver, settings, symbol=EVIL1)
    assert [p for p, _ in by_symbol] == ["EVIL1.md"]
    # the three ordinary pages are untouched, and still equal to their source
    for name, before in hostile_graph.baseline_exports.items():
        [(_, after)] = export_page(driver, settings, path=name)
        assert after == before == front_matter(SYNC / name), name


@integration
def test_hostile_pages_add_exactly_their_own_nodes(
    hostile_graph: HostileGraph, settings: Any
) -> None:
    driver = hostile_graph.driver
    expected = dict(hostile_graph.baseline_counts)
    # counted by hand from the three pages (see tests/fixtures/hostile/)
    for label, more in {"Page": 3, "Image": 5, "OrthologRow": 3,
                        "Gene": 3 + 2 + 2,  # 3 chicken genes, 2 + 2 new ortholog genes
                        "Species": 1,  # "Mouse'}) DETACH DELETE n //" is an unknown species
                        "DevelopmentalStage": 3,  # three unresolved stage buckets
                        "AnatomicalStructure": 6,  # six unmapped location labels
                        "Source": 2, "Publication": 1,
                        # heart and somites at two unresolved stages (heart @ HH10 and
                        # heart @ HH12 are sites of the baseline already)
                        "Site": 2}.items():
        expected[label] = expected.get(label, 0) + more
    assert label_counts(driver, settings) == expected
    curated = db.run_read(driver, settings,
                          "MATCH (s:DevelopmentalStage {curated: true}) RETURN count(s) AS n")
    assert curated[0]["n"] >= 60  # EGK I-XIV and HH1-46 are still there
    # nothing a payload names became a label, type or property key of the graph
    labels = {r["l"] for r in db.run_read(
        driver, settings, "MATCH (n) UNWIND labels(n) AS l RETURN DISTINCT l")}
    assert labels <= {"Page", "Gene", "Species", "OrthologRow", "Image", "DevelopmentalStage",
                      "DevelopmentalPeriod", "AnatomicalStructure", "Source", "Publication",
                      "Site", "IngestRun", "IngestLock", "GraphMeta"}, labels
    types = {r["t"] for r in db.run_read(
        driver, settings, "MATCH ()-[r]->() RETURN DISTINCT type(r) AS t")}
    assert all(re.fullmatch(r"[A-Z_]+", t) for t in types), types
    keys = {r["k"] for r in db.run_read(
        driver, settings, "MATCH (n) UNWIND keys(n) AS k RETURN DISTINCT k")}
    assert all(re.fullmatch(r"[a-z0-9_]+", k) for k in keys), keys


@integration
def test_removing_the_hostile_pages_restores_the_graph(
    hostile_graph: HostileGraph, settings: Any
) -> None:
    """Sync back to the three ordinary pages: exactly a fresh load of them (nothing was
    deleted or rewritten by a payload, nothing of the hostile pages is left over)."""
    from pipeline.flow.flows import ingest_flow

    folder = hostile_graph.folder
    try:
        for page in hostile_pages():
            (folder / page.name).unlink()
        summary = ingest_flow(str(folder))
        assert (summary.pages_deleted, summary.pages_unchanged) == (3, 3)
        after = graph_dump.dump(hostile_graph.driver, settings)
        assert after == hostile_graph.baseline, after.difference(hostile_graph.baseline)
    finally:  # put them back for the other tests of this module
        for page in hostile_pages():
            shutil.copy(page, folder / page.name)
        ingest_flow(str(folder))


@integration
def test_hostile_values_through_the_command_line(hostile_graph: HostileGraph) -> None:
    for page, symbol in (("EVIL1.md", EVIL1), (EVIL2_FILE, EVIL2)):
        parsed = front_matter(HOSTILE / page)
        result = cli("query", "gene-expression", "-p", f"symbol={symbol}", "--format", "json")
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert rows and {r["symbol"] for r in rows} == {symbol}, rows
        structures = {r["structure_key"] for r in rows}
        assert structures <= {"heart", "somites", "forebrain"}, structures
        raw = cli("cypher", "MATCH (:Page {path: $p})-[:DESCRIBES]->(g:Gene {symbol: $s}) "
                  "RETURN g.name AS name, g.title AS title, g.aliases AS aliases",
                  "-p", f"s={symbol}", "-p", f"p={page}", "--format", "json")
        assert raw.returncode == 0, raw.stderr
        assert json.loads(raw.stdout) == [{"name": parsed["name"], "title": parsed["title"],
                                           "aliases": parsed["aliases"]}]
        exported = cli("export", "--path", page, "--format", "json")
        assert exported.returncode == 0, exported.stderr
        assert json.loads(exported.stdout) == parsed
    by_symbol = cli("export", EVIL1, "--format", "json")
    assert json.loads(by_symbol.stdout) == front_matter(HOSTILE / "EVIL1.md")
    # captions with newlines and a payload stay one value
    caption = cli("cypher", "MATCH (i:Image {key: $k}) RETURN i.caption AS c",
                  "-p", "k=EVIL1.md#image-0", "--format", "json")
    assert json.loads(caption.stdout) == [
        {"c": "x'}) DETACH DELETE n //\nMATCH (n) DETACH DELETE n"}]


@integration
def test_table_output_shows_values_verbatim(hostile_graph: HostileGraph) -> None:
    styled = cli("cypher", "RETURN $s AS s", "-p", "s=[red]not red[/red]")
    assert styled.returncode == 0, styled.stderr
    assert "[red]not red[/red]" in styled.stdout
    result = cli("query", "gene-expression", "-p", f"symbol={EVIL3}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert EVIL3 in result.stdout


@integration
def test_ingest_report_shows_page_text_verbatim(
    hostile_graph: HostileGraph, tmp_path: Path, shared_prefect_api: str
) -> None:
    folder = tmp_path / "pages"
    shutil.copytree(hostile_graph.folder, folder)  # same pages: the graph stays as it is
    (folder / "BADKEY.md").write_text('---\nsymbol: BADKEY\n"[/]": "a\\x01b"\n---\n',
                                      encoding="utf-8")
    result = cli("ingest", str(folder))
    assert result.returncode == 0, result.stderr[-2000:]
    assert "BADKEY.md: [/]:" in result.stdout


# --------------------------------------------------------------------------- static checks

EXPLAIN_PREFIXES = {"EXPLAIN ", "PROFILE "}
SUBPROCESS_LIKE = {"subprocess", "asyncio"}  # `.run` of these is not a Cypher sink
# `chickgraph cypher QUERY`: the user's own
USER_QUERY = {("cli/cypher_cmd.py", "cypher_cmd", "query")}
# QuerySpec.text is the text of cypher/queries/<name>.cypher (checked at run time below)
TRUSTED_ATTRIBUTES = {("queries/named.py", "spec.text")}


@dataclass(frozen=True)
class Violation:
    file: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"pipeline/{self.file}:{self.line}: {self.reason}"


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return "?"


class _Function:
    def __init__(self, file: str, node: ast.AST, parent: _Function | None) -> None:
        self.file, self.node, self.parent = file, node, parent
        self.name = getattr(node, "name", "<module>")
        args = getattr(node, "args", None)
        self.params = [a.arg for a in (args.posonlyargs + args.args)] if args else []
        self.kwonly = [a.arg for a in args.kwonlyargs] if args else []
        self.env: dict[str, tuple[str, str]] = {}
        self.aliases: dict[str, set[str]] = {}

    def own_nodes(self) -> Iterator[ast.AST]:
        """The nodes of this function's body, not of functions nested in it."""
        stack = list(ast.iter_child_nodes(self.node))
        while stack:
            node = stack.pop()
            yield node
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                stack.extend(ast.iter_child_nodes(node))

    def lookup(self, name: str) -> tuple[str, str] | None:
        scope: _Function | None = self
        while scope is not None:
            if name in scope.env:
                return scope.env[name]
            if name in scope.params or name in scope.kwonly:
                return ("param", name) if scope is self else ("bad", f"closure param {name}")
            scope = scope.parent
        return None


class CypherProvenance:
    """Where the text given to `.run(`, `execute_query(` and `Query(` comes from.

    Accepted: `cypher_files.load/statements(...)` (whatever the file name expression),
    string literals, names bound to those, parameters whose every caller passes those, and
    the user's query of `chickgraph cypher`. Anything built (f-string, %, .format, +, join)
    or of unknown origin is a violation.
    """

    def __init__(self, sources: dict[str, str]) -> None:
        self.functions: list[_Function] = []
        for file, text in sources.items():
            tree = ast.parse(text, filename=file)
            self._collect(file, tree, None)
        for fn in self.functions:
            self._bind(fn)
        self.violations: list[Violation] = []
        self.wrappers: dict[str, tuple[int, str]] = {}  # function name -> (index, param)
        self._checked: set[tuple[str, int, int]] = set()

    def _collect(self, file: str, node: ast.AST, parent: _Function | None) -> None:
        fn = _Function(file, node, parent)
        self.functions.append(fn)
        for child in fn.own_nodes():
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                self._collect(file, child, fn)

    def classify(self, fn: _Function, expr: ast.AST | None) -> tuple[str, str]:
        if expr is None:
            return ("bad", "no query argument")
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return ("ok", "literal")
        if isinstance(expr, ast.JoinedStr):
            return ("bad", "f-string")
        if (isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add)
                and isinstance(expr.left, ast.Constant) and expr.left.value in EXPLAIN_PREFIXES):
            # `"EXPLAIN " + query`: planning the user's own query before it runs
            return self.classify(fn, expr.right)
        if isinstance(expr, ast.BinOp):
            op = "% formatting" if isinstance(expr.op, ast.Mod) else "string arithmetic"
            return ("bad", op)
        if isinstance(expr, ast.Call):
            name = _dotted(expr.func)
            if name in ("cypher_files.load", "cypher_files.statements"):
                return ("ok", name)
            if name.split(".")[-1] == "Query" and expr.args:
                return self.classify(fn, expr.args[0])
            if isinstance(expr.func, ast.Attribute) and expr.func.attr in (
                    "format", "join", "replace", "format_map"):
                return ("bad", f".{expr.func.attr}()")
            return ("bad", f"text returned by {name}()")
        if isinstance(expr, ast.Subscript):
            return self.classify(fn, expr.value)
        if isinstance(expr, ast.Name):
            return fn.lookup(expr.id) or ("bad", f"{expr.id} of unknown origin")
        if isinstance(expr, ast.Attribute):
            if (fn.file, _dotted(expr)) in TRUSTED_ATTRIBUTES:
                return ("ok", _dotted(expr))
            return ("bad", f"attribute {_dotted(expr)}")
        return ("bad", type(expr).__name__)

    def _bind(self, fn: _Function) -> None:
        """Names assigned or looped over in the function, in source order (worst wins)."""
        nodes = sorted((n for n in fn.own_nodes() if isinstance(n, ast.Assign | ast.For)),
                       key=lambda n: (n.lineno, n.col_offset))
        for node in nodes:
            target = node.targets[0] if isinstance(node, ast.Assign) else node.target
            value = node.value if isinstance(node, ast.Assign) else node.iter
            if not isinstance(target, ast.Name):
                continue
            refs = self._function_refs(value) if isinstance(node, ast.Assign) else set()
            if refs:
                fn.aliases[target.id] = refs
                continue
            found = self.classify(fn, value)
            if fn.env.get(target.id, ("ok", ""))[0] != "bad":
                fn.env[target.id] = found

    def _function_refs(self, value: ast.AST) -> set[str]:
        """`runner = db.run_write if write else db.run_read`: the functions it may name."""
        options = [value.body, value.orelse] if isinstance(value, ast.IfExp) else [value]
        names = {_dotted(o).split(".")[-1] for o in options}
        defined = {fn.name for fn in self.functions}
        if all(isinstance(o, ast.Name | ast.Attribute) for o in options) and names <= defined:
            return names
        return set()

    def _sinks(self, fn: _Function) -> Iterator[tuple[ast.Call, ast.AST | None, str]]:
        for node in fn.own_nodes():
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr in ("run", "execute_query"):
                if isinstance(func.value, ast.Name) and func.value.id in SUBPROCESS_LIKE:
                    continue
                query = node.args[0] if node.args else next(
                    (k.value for k in node.keywords if k.arg in ("query", "query_")), None)
                yield node, query, func.attr

    def _calls_to(self, name: str) -> Iterator[tuple[_Function, ast.Call, int]]:
        """Calls of `name` (direct, through an alias, or as a transaction function);
        the int is the offset of the function's first parameter among the call's args."""
        for fn in self.functions:
            for node in fn.own_nodes():
                if not isinstance(node, ast.Call):
                    continue
                callee = _dotted(node.func).split(".")[-1]
                if callee == name or name in fn.aliases.get(callee, set()):
                    yield fn, node, 0
                elif callee in ("execute_write", "execute_read") and node.args and \
                        _dotted(node.args[0]).split(".")[-1] == name:
                    yield fn, node, 1  # args[1:] are the function's params[1:]

    def check(self) -> list[Violation]:
        for fn in self.functions:
            for call, query, sink in self._sinks(fn):
                self._judge(fn, query, call.lineno, f"{sink}()", depth=0)
        return self.violations

    def _judge(self, fn: _Function, expr: ast.AST | None, line: int, what: str,
               depth: int) -> None:
        key = (fn.file, line, depth)
        if key in self._checked:
            return
        self._checked.add(key)
        kind, why = self.classify(fn, expr)
        if kind == "ok":
            return
        if kind == "param":
            if (fn.file, fn.name, why) in USER_QUERY:
                return
            index = fn.params.index(why) if why in fn.params else None
            callers = list(self._calls_to(fn.name))
            if not callers:
                self.violations.append(Violation(
                    fn.file, line, f"{what}: parameter {why!r} of {fn.name}() is never "
                    "given Cypher from cypher_files"))
            for caller, call, _offset in callers:
                # direct call: args[i] is param i; execute_write(F, ...): args[0] is F where
                # F has tx, so args[i] is param i as well
                arg = next((k.value for k in call.keywords if k.arg == why), None)
                if arg is None and index is not None and index < len(call.args):
                    arg = call.args[index]
                self._judge(caller, arg, call.lineno,
                            f"{what} via {fn.name}({why}=...)", depth + 1)
            return
        self.violations.append(Violation(fn.file, line, f"{what}: Cypher from {why}"))


@cache
def provenance_violations() -> tuple[Violation, ...]:
    sources = {str(path.relative_to(PIPELINE)): path.read_text(encoding="utf-8")
               for path in sorted(PIPELINE.rglob("*.py"))}
    sources[BULK] = (REPO / BULK).read_text(encoding="utf-8")  # the bulk floor writes Cypher
    return tuple(CypherProvenance(sources).check())


def test_the_provenance_check_catches_built_cypher() -> None:
    """The checker itself: every way of building Cypher from values is reported."""
    bad = '''
from pipeline.load import cypher_files
def a(tx, v):
    tx.run(f"MATCH (n {{k: '{v}'}}) RETURN n")
def b(tx, v):
    tx.run("MATCH (n {k: '%s'}) RETURN n" % v)
def c(tx, v):
    query = "MATCH (n:{}) RETURN n".format(v)
    tx.run(query)
def d(tx, v):
    tx.run(Query("MATCH (n) WHERE n.k = '" + v + "' RETURN n"))
def run_query(driver, settings, query):
    return driver.execute_query(query)
def e(driver, settings, v):
    run_query(driver, settings, f"RETURN '{v}'")
def work(tx, statement):
    tx.run(statement)
def f(session, v):
    session.execute_write(work, f"RETURN {v}")
def g(driver, v):
    runner = run_query if v else run_query
    runner(driver, None, " ".join(["RETURN", v]))
def fine(tx, session, driver):
    tx.run(cypher_files.load(f"load/{'genes'}"), rows=[])
    for statement in cypher_files.statements("schema"):
        session.execute_write(work, statement)
    run_query(driver, None, cypher_files.load("stats/node_counts"))
    tx.run("RETURN 1")
'''
    found = CypherProvenance({"example.py": bad}).check()
    lines = sorted({v.line for v in found})
    # a, b, c, d, e (via run_query), f (via work), g (via the alias)
    assert lines == [4, 6, 9, 11, 15, 19, 22], "\n".join(map(str, found))


def _pipeline_files() -> list[Any]:
    params = []
    for path in sorted(PIPELINE.rglob("*.py")):
        name = str(path.relative_to(PIPELINE))
        params.append(pytest.param(name, id=name))
    return [*params, pytest.param(BULK, id=BULK)]


@pytest.mark.parametrize("name", _pipeline_files())
def test_no_cypher_is_built_from_values(name: str) -> None:
    mine = [str(v) for v in provenance_violations() if v.file == name]
    assert not mine, "\n".join(mine)


def test_named_queries_are_their_files() -> None:
    """`spec.text` (trusted by the provenance check) is exactly the .cypher file's text."""
    from pipeline.queries import named

    catalogue = named.catalogue()
    assert catalogue
    for name, spec in catalogue.items():
        assert spec.text == cypher_files.load(f"queries/{name}")


def test_cypher_file_names_cannot_escape_the_folder() -> None:
    for name in ("../README", "load/../../pyproject", "/etc/passwd", "load/genes.cypher\x00"):
        with pytest.raises(ValueError):
            cypher_files.load(name)


DYNAMIC = re.compile(r"\$\s*(?:any|all)?\s*\(|apoc\.(?:create|merge|cypher|do)\.|"
                     r"db\.createLabel|db\.createRelationshipType|db\.createProperty",
                     re.IGNORECASE)


def test_labels_and_types_in_cypher_files_are_literal() -> None:
    files = sorted((REPO / "cypher").rglob("*.cypher"))
    assert len(files) > 20
    found = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("//", 1)[0]
            if DYNAMIC.search(code):
                found.append(f"{path.relative_to(REPO)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)


# --------------------------------------------------------------------------- read-only path

WRITES = [
    "CREATE (n:SecurityProbe {v: 1}) RETURN n.v AS v",
    "MERGE (n:SecurityProbe {v: 1}) RETURN n.v AS v",
    "MATCH (s:Species) SET s.name = 'pwned' RETURN count(s) AS n",
    "MATCH (s:Species) REMOVE s.name RETURN count(s) AS n",
    "MATCH (n:DevelopmentalStage) DETACH DELETE n",
    "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS",
    "CALL db.createLabel('SecurityProbe')",
    "CREATE INDEX security_probe IF NOT EXISTS FOR (n:SecurityProbe) ON (n.v)",
    "CREATE CONSTRAINT security_probe IF NOT EXISTS FOR (n:SecurityProbe) REQUIRE n.v IS UNIQUE",
    "DROP CONSTRAINT page_path IF EXISTS",
    "CREATE USER security_probe SET PASSWORD 'probe-probe-probe' CHANGE NOT REQUIRED",
    "ALTER USER neo4j SET PASSWORD 'probe-probe-probe' CHANGE NOT REQUIRED",
    "ALTER CURRENT USER SET PASSWORD FROM 'x' TO 'probe-probe-probe'",
    "CREATE DATABASE securityprobe",
    "STOP DATABASE neo4j",
    "DROP DATABASE neo4j",
]


def graph_fingerprint(driver: Any, settings: Any) -> tuple[Any, ...]:
    counts = db.run_read(driver, settings, "MATCH (n) RETURN count(n) AS n")[0]["n"]
    names = db.run_read(driver, settings,
                        "MATCH (s:Species) RETURN collect(s.name) AS names")[0]["names"]
    schema = db.run_read(driver, settings, "SHOW CONSTRAINTS YIELD name RETURN collect(name) "
                                           "AS c")[0]["c"]
    indexes = db.run_read(driver, settings, "SHOW INDEXES YIELD name RETURN collect(name) "
                                            "AS i")[0]["i"]
    users = db.run_read(driver, settings, "SHOW USERS YIELD user RETURN collect(user) "
                                          "AS u")[0]["u"]
    dbs = db.run_read(driver, settings, "SHOW DATABASES YIELD name, currentStatus "
                                        "RETURN collect([name, currentStatus]) AS d")[0]["d"]
    return counts, sorted(names), sorted(schema), sorted(indexes), sorted(users), sorted(dbs)


@integration
@pytest.mark.parametrize("query", WRITES)
def test_writes_and_admin_commands_are_refused_without_write(
    hostile_graph: HostileGraph, settings: Any, query: str
) -> None:
    driver = hostile_graph.driver
    before = graph_fingerprint(driver, settings)
    result = cli("cypher", query, "--format", "json")
    line = one_line_error(result)
    assert "--write" in line
    assert graph_fingerprint(driver, settings) == before
    # and the password still works (an ALTER USER did not go through)
    assert db.run_read(driver, settings, "RETURN 1 AS x") == [{"x": 1}]


@integration
@pytest.mark.parametrize("query", [
    "CALL dbms.security.createUser('security_probe', 'probe-probe-probe', false)",
    "CALL dbms.security.changePassword('probe-probe-probe')",
    "CALL dbms.setConfigValue('db.logs.query.enabled', 'OFF')",
])
def test_admin_procedures_cannot_run_on_the_read_path(
    hostile_graph: HostileGraph, settings: Any, query: str
) -> None:
    """Removed or Enterprise-only in 5.26: the server refuses them; nothing changes."""
    driver = hostile_graph.driver
    before = graph_fingerprint(driver, settings)
    result = cli("cypher", query, "--format", "json")
    assert result.returncode != 0
    assert graph_fingerprint(driver, settings) == before


@integration
@pytest.mark.parametrize("query", [
    "RETURN 1 AS x // CREATE (n:SecurityProbe)",
    "RETURN 'CREATE (n:SecurityProbe) DETACH DELETE n' AS x",
    "/* MERGE (n) */ RETURN 1 AS x",
    "MATCH (g:Gene {symbol: 'DELETE'}) RETURN count(g) AS x",
])
def test_a_read_that_mentions_a_write_is_fine(hostile_graph: HostileGraph, query: str) -> None:
    result = cli("cypher", query, "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(json.loads(result.stdout)) == 1


@integration
def test_cypher_errors_are_one_line(hostile_graph: HostileGraph) -> None:
    for query in ("RETURN 1 +", "CALL dbms.security.createUser('a', 'bbbbbbbbbbbb', false)"):
        one_line_error(cli("cypher", query))


class _CsvHandler(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []  # noqa: RUF012 (shared on purpose: the server's log)

    def do_GET(self) -> None:
        _CsvHandler.requests.append(self.path)
        body = b"name\nexfiltrated\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: Any) -> None:
        pass


@integration
def test_load_csv_cannot_run_on_the_read_path(hostile_graph: HostileGraph, settings: Any) -> None:
    _local_only(settings)  # the server must reach this machine's 127.0.0.1
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CsvHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _CsvHandler.requests.clear()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/probe.csv"
        result = cli("cypher", f"LOAD CSV WITH HEADERS FROM '{url}' AS row RETURN row.name AS n",
                     "--format", "json")
    finally:
        server.shutdown()
        server.server_close()
    assert _CsvHandler.requests == [], "the server fetched the URL on the read-only path"
    assert result.returncode == 1 and "exfiltrated" not in result.stdout


@integration
def test_the_read_path_cannot_terminate_other_transactions(
    hostile_graph: HostileGraph, settings: Any
) -> None:
    driver = hostile_graph.driver
    with driver.session(database=settings.neo4j.database) as session:
        tx = session.begin_transaction(metadata={"probe": "terminate-me"})
        try:
            tx.run("MATCH (s:Species) WITH s LIMIT 1 SET s.probe_at = 'x'").consume()
            rows = db.run_read(driver, settings,
                               "SHOW TRANSACTIONS YIELD transactionId, metaData "
                               "WHERE metaData.probe = 'terminate-me' RETURN transactionId")
            assert len(rows) == 1, rows
            result = cli("cypher", "TERMINATE TRANSACTIONS $id", "-p",
                         f"id={rows[0]['transactionId']}", "--format", "json")
            assert result.returncode == 1, result.stdout
            tx.run("RETURN 1").consume()  # still alive
        finally:
            tx.close()  # rolled back either way


# --------------------------------------------------------------------------- the server


def _local_only(settings: Any) -> None:
    if settings.neo4j.external:
        pytest.skip("NEO4J_URI is set: not the project's own server")


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a LISTEN socket on `port`, from /proc/net/tcp{,6}."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].rsplit(":", 1)
            if int(hex_port, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


LOOPBACK = {"0100007F",  # 127.0.0.1
            "0000000000000000FFFF00000100007F",  # ::ffff:127.0.0.1
            "00000000000000000000000001000000"}  # ::1


@integration
def test_the_server_listens_on_loopback_only(settings: Any, neo4j_server_version: str) -> None:
    _local_only(settings)
    home, port = settings.neo4j.local.home, settings.neo4j.local.bolt_port
    conf = (home / "conf" / "neo4j.conf").read_text(encoding="utf-8")
    entries = dict(line.split("=", 1) for line in conf.splitlines()
                   if "=" in line and not line.startswith("#"))
    assert entries["server.default_listen_address"] == "127.0.0.1"
    assert entries["server.bolt.listen_address"] == f"127.0.0.1:{port}"
    # HTTP serves Neo4j Browser on loopback only (tests/integration/test_browser.py); no HTTPS
    http_port = settings.neo4j.local.browser_http_port
    assert entries["server.http.listen_address"] == f"127.0.0.1:{http_port}"
    assert entries["server.https.enabled"] == "false"
    assert entries["dbms.security.auth_enabled"] == "true"
    assert "0.0.0.0" not in conf
    for listened in (port, http_port):
        listening = _listening_addresses(listened)
        assert listening and listening <= LOOPBACK, (listened, listening)
    # the server's other sockets (if any) are loopback too
    pid = neo4j_server.running_pid(settings)
    assert pid is not None
    if shutil.which("hostname") is None:
        pytest.skip("no `hostname` command to list this machine's addresses")
    result = subprocess.run(["hostname", "-I"], capture_output=True, text=True, check=False)
    addresses = [a for a in result.stdout.split() if not a.startswith(("127.", "::1"))]
    if not addresses:
        pytest.skip("this machine has no non-loopback address")
    for address in addresses:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        for listened, what in ((port, "Bolt"), (http_port, "HTTP")):
            with socket.socket(family, socket.SOCK_STREAM) as sock:
                sock.settimeout(2)
                assert sock.connect_ex((address, listened)) != 0, \
                    f"{what} answers on {address}:{listened}"


def _password(settings: Any) -> str:
    return settings.neo4j_password()


@integration
def test_auth_is_required(settings: Any, neo4j_server_version: str) -> None:
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    uri = settings.neo4j.effective_uri
    # one failed attempt per user only: Neo4j locks a user out after 3 in a row
    for auth in (None, ("neo4j", _password(settings) + "-wrong"), ("intruder", "intruder-pw")):
        probe = GraphDatabase.driver(uri, auth=auth, connection_timeout=5)
        try:
            with pytest.raises(AuthError):
                probe.verify_connectivity()
        finally:
            probe.close()
    good = db.make_driver(settings)
    try:
        db.verify(good, settings)
    finally:
        good.close()
    if not settings.neo4j.external:
        mode = (settings.neo4j.local.home / "password").stat().st_mode & 0o777
        assert mode == 0o600, oct(mode)


def _files_containing(root: Path, secret: bytes) -> list[str]:
    hits = []
    for path in root.rglob("*"):
        try:
            if path.is_file() and not path.is_symlink() and secret in path.read_bytes():
                hits.append(str(path))
        except OSError:
            continue
    return hits


@integration
def test_the_password_is_not_leaked(
    hostile_graph: HostileGraph, settings: Any, shared_prefect_api: str
) -> None:
    _local_only(settings)
    password = _password(settings)
    assert len(password) >= 16
    secret = password.encode()
    # not in the repository (tracked or untracked files; .local/ is ignored)
    grep = subprocess.run(["git", "grep", "-F", "-q", "--untracked", "-e", password],
                          cwd=REPO, capture_output=True, check=False)
    assert grep.returncode == 1, "the Neo4j password is in the repository"
    # a run from the command line: its JSON summary, its output
    run = cli("ingest", str(SYNC), "--json")
    assert run.returncode == 0, run.stderr[-2000:]
    assert password not in run.stdout + run.stderr
    # a run in-process: its Prefect artifact
    from prefect.artifacts import Artifact

    from pipeline.flow.flows import ingest_flow

    summary = ingest_flow(str(hostile_graph.folder))
    assert password not in summary.model_dump_json()
    artifact = Artifact.get("chickgraph-ingest-summary")
    assert artifact is not None and summary.run_id in str(artifact.data)
    assert password not in str(artifact.data) + str(artifact.description)
    for shown in (cli("config", "show"), cli("config", "show", "--json")):
        assert shown.returncode == 0
        assert password not in shown.stdout + shown.stderr
    # the logs: Neo4j's, Prefect's home, and the folder of the harness's database, which holds
    # the runs, logs and artifacts of both runs above (the CLI's reports to it too)
    from prefect.settings import PREFECT_SERVER_DATABASE_CONNECTION_URL

    from pipeline.settings import get_settings

    prefect_home = Path(os.environ.get("PREFECT_HOME") or get_settings().prefect.home)
    harness_db = Path(str(PREFECT_SERVER_DATABASE_CONNECTION_URL.value()).split("///", 1)[1])
    assert harness_db.is_file(), harness_db
    for root in (settings.neo4j.local.home / "logs", prefect_home, harness_db.parent):
        assert root.exists(), root
        assert _files_containing(root, secret) == [], root
    # nor in the server's command line
    pid = neo4j_server.running_pid(settings)
    assert pid is not None
    assert secret not in Path(f"/proc/{pid}/cmdline").read_bytes()


def spare_port(offset: int) -> int:
    """A port beside the session server's (CHICKGRAPH_BOLT_PORT + offset), so parallel
    checkouts given their own port ranges never collide; refused when already taken."""
    port = int(os.environ["CHICKGRAPH_BOLT_PORT"]) + offset
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) == 0:
            pytest.fail(f"port {port} (CHICKGRAPH_BOLT_PORT + {offset}) is taken")
    return port


class CommandLineWatch:
    """Samples every process's command line while a block runs; records those showing a secret.
    A JVM lives for seconds, so a 20-ms sampling cannot miss one."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.seen: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        import psutil

        while not self._stop.is_set():
            for proc in psutil.process_iter(["cmdline"]):
                line = " ".join(proc.info["cmdline"] or [])
                if self.secret in line:
                    shown = line.replace(self.secret, "<password>")[:200]
                    if shown not in self.seen:
                        self.seen.append(shown)
            self._stop.wait(0.02)

    def __enter__(self) -> CommandLineWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


@integration
def test_first_start_never_shows_the_password_on_a_command_line(
    settings: Any, tmp_path: Path
) -> None:
    """A fresh home: the generated password reaches Neo4j over Bolt, not via neo4j-admin's
    arguments (readable by every user in /proc/*/cmdline); the default one stops working."""
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError

    _local_only(settings)
    local = settings.neo4j.local.model_copy(update={
        "home": tmp_path / "neo4j", "bolt_port": spare_port(3), "heap": "512m",
        "pagecache": "64m"})
    mine = settings.model_copy(update={"neo4j": settings.neo4j.model_copy(
        update={"local": local, "password": None})})
    password = mine.neo4j_password()
    try:
        with CommandLineWatch(password) as watch:
            version = neo4j_server.start(mine, echo=lambda _m: None)
        assert version.startswith("Neo4j/5.26"), version
        assert watch.seen == [], watch.seen
        assert not (local.home / "password-pending").exists()
        probe = GraphDatabase.driver(mine.neo4j.effective_uri, auth=("neo4j", "neo4j"))
        try:
            with pytest.raises(AuthError):
                probe.verify_connectivity()
        finally:
            probe.close()
        # a second start of the same home (the password already set) is a plain start
        assert neo4j_server.stop(mine)
        with CommandLineWatch(password) as watch:
            assert neo4j_server.start(mine, echo=lambda _m: None) == version
        assert watch.seen == []
    finally:
        neo4j_server.stop(mine)
