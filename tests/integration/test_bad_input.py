"""Bad input: a corpus of good pages and one file per kind of bad page, through the real flow.

Every bad page must be reported exactly once, with its file, a meaningful field and a one-line
message, and must never become a Page; the good pages must load exactly; two pages claiming
one gene are a reported conflict that the smaller path wins.

The corpus is `tests/fixtures/bad/` plus the kinds `tests/fixtures/make_bad_corpus.py` makes at
run time (50 MB page, non-UTF-8, binary, symlinks, FIFO, unreadable file). Kinds that have
aborted a whole run (an exception escaping the pipeline, or a YAML bomb exhausting memory) live
in `bad/isolated/` and run one at a time, so a regression cannot take the shared run down with
them. Expected values are computed here from the fixture files with PyYAML, never with the
pipeline's own code.

Known bugs are `xfail(strict=True)`: each reason names the function and what goes wrong.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.extract.pages import PageIssue, RawPage, read_page
from pipeline.load import db
from pipeline.queries.export import export_page
from pipeline.settings import Settings, get_settings
from tests.conftest import REPO, load_fresh
from tests.fixtures import make_bad_corpus as mk

pytestmark = pytest.mark.integration

FM = "(front matter)"
FILE = "(file)"

GOOD = ("good-alpha.md", "good-beta.md", "good-gamma.md")
WINNERS = ("conflict-gene-id-a.md", "conflict-symbol-a.md")  # valid; they win their conflict
TAXON = {"Human": 9606, "Mouse": 10090, "Xenopus": 8353, "Zebrafish": 7955, "Fruit Fly": 7227}

# ------------------------------------------------------------------------------ the kinds


@dataclass(frozen=True)
class Kind:
    file: str
    field: str | tuple[str, ...]  # the expected field, or the acceptable ones
    message: str  # a regular expression the message must contain
    bug: str | None = None

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,) if isinstance(self.field, str) else self.field

    def param(self) -> Any:
        marks = [pytest.mark.xfail(strict=True, reason=f"bug: {self.bug}")] if self.bug else []
        return pytest.param(self, id=self.file.removesuffix(".md"), marks=marks)


KINDS = (
    # reading the file
    Kind("empty.md", FILE, "empty file"),
    Kind("only-bom.md", (FILE, FM), "empty|no YAML front matter"),
    Kind("not-utf8.md", FILE, "not UTF-8"),
    Kind("binary.md", FILE, "binary"),
    Kind("page-50mb.md", FILE, "page size limit"),
    Kind("symlink-outside.md", FILE, "outside the source folder"),
    Kind("dangling-symlink.md", FILE, "dangling symlink"),
    Kind("fifo.md", FILE, "not a regular file"),
    Kind("unreadable.md", FILE, "permission denied"),
    # the front matter block and its YAML
    Kind("no-front-matter.md", FM, "no YAML front matter"),
    Kind("unterminated-front-matter.md", FM, "not terminated"),
    Kind("front-matter-empty.md", FM, "empty"),
    Kind("front-matter-list.md", FM, "is a list, not a mapping"),
    Kind("front-matter-scalar.md", FM, "is a str, not a mapping"),
    Kind("yaml-syntax-error.md", FM, r"YAML error at line \d+"),
    Kind("yaml-error-position.md", FM, r"YAML error at line \d+"),
    Kind("tab-indented.md", FM, "YAML error"),
    Kind("control-character-raw.md", FM, "control characters"),
    Kind("python-object-tag.md", FM, "constructor"),
    Kind("unhashable-key.md", FM, "unhashable key"),
    Kind("yaml-aliases-over-limit.md", FM, "aliases"),
    Kind("deeply-nested-value.md", FM, "nesting"),
    Kind("duplicate-yaml-keys.md", "symbol", "(?i)duplicate"),
    Kind("non-string-keys.md", ("None", "1"), "not text"),
    Kind("nbsp-key-collision.md", "curator note", "non-breaking"),
    Kind("nbsp-key-collision-nested.md", "external_ids.Biological Process", "non-breaking"),
    # shape and values
    Kind("missing-symbol.md", "symbol", "(?i)required"),
    Kind("symbol-null.md", "symbol", "valid string"),
    Kind("symbol-int.md", "symbol", "valid string"),
    Kind("symbol-blank.md", "symbol", "blank"),
    Kind("images-string.md", "images", "valid list"),
    Kind("image-entry-string.md", "images.0", "valid dictionary"),
    Kind("image-without-url.md", "images.0.image_url", "(?i)required"),
    Kind("image-stage-number.md", "images.0.stage", "valid string"),
    Kind("image-location-list.md", "images.0.location", "valid string"),
    Kind("orthologs-mapping.md", "orthologs", "valid list"),
    Kind("ortholog-row-string.md", "orthologs.0", "valid dictionary"),
    Kind("template-length-not-number.md", "template_length", "not a whole number"),
    Kind("template-length-negative.md", "template_length", "not a whole number"),
    Kind("aliases-string.md", "aliases", "valid list"),
    Kind("aliases-10000.md", "aliases", "at most 5000"),
    Kind("external-ids-list.md", "external_ids", "valid dictionary"),
    Kind("sources-entry-without-name.md", "sources.0.name", "(?i)required"),
    Kind("papers-string.md", "papers", "valid list"),
    Kind("draft-string.md", "draft", "valid boolean"),
    Kind("huge-string-value.md", "name", f"{mk.HUGE_STRING_CHARS} characters"),
    Kind("control-character-escaped.md", "name", "control characters"),
    Kind("control-character-in-alias.md", "aliases.0", "control characters"),
    # two pages, one gene: the larger path loses, whichever order they arrive in
    Kind("conflict-gene-id-b.md", "gene_id", "already described by conflict-gene-id-a.md"),
    Kind("conflict-symbol-b.md", "gene_id", "already described by conflict-symbol-a.md"),
    Kind("symlink-inside-duplicate.md", "gene_id", "already described by good-alpha.md"),
)
SILENTLY_LOADED = {k.file for k in KINDS if k.bug}  # bug kinds that become Pages today

ISOLATED = (
    Kind("invalid-date.md", ("date", FM), "(?i)date|month"),
    Kind("binary-tag-value.md", "blob", "bytes value cannot be stored"),
    Kind("set-tag-value.md", "tags", "set value cannot be stored"),
    Kind("nested-500-deep.md", (FM, "nested"), "nesting too deep"),
    Kind("symlink-loop.md", FILE, "(?i)loop"),
)


def test_the_table_covers_the_fixtures() -> None:
    """Every committed page is good, a winner or a listed kind; every isolated one is listed."""
    committed = {p.name for p in mk.BAD.glob("*.md")}
    generated = {"not-utf8.md", "binary.md", "page-50mb.md", "aliases-10000.md",
                 "huge-string-value.md", "symlink-outside.md", "dangling-symlink.md",
                 "symlink-inside-duplicate.md", "fifo.md", "unreadable.md"}
    assert committed | generated == set(GOOD) | set(WINNERS) | {k.file for k in KINDS}
    isolated = {p.name.replace(".page", ".md") for p in mk.ISOLATED.glob("*.page")}
    assert isolated | {"symlink-loop.md"} == {k.file for k in ISOLATED} | {"billion-laughs.md"}
    assert set(mk.ISOLATED_KINDS) == {k.file for k in ISOLATED}
    assert len(KINDS) + len(ISOLATED) + 1 >= 30  # + billion-laughs.md, run in a capped child


# ------------------------------------------------------------------------------ one shared run


def front_matter(path: Path) -> dict[str, Any]:
    """The front matter as PyYAML reads it: the expectation, independent of the pipeline."""
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


@dataclass
class Run:
    corpus: mk.Corpus
    summary: Any
    seconds: float
    pages: dict[str, dict[str, Any]]  # Page.path -> {symbol, key} of the gene it describes
    symbols: set[str]  # symbols of every Gene node
    exports: dict[str, dict[str, Any]]  # Page.path -> front matter rebuilt from the graph
    counts: dict[str, dict[str, int]]  # Page.path -> images / ortholog rows / sources
    orthologs: dict[str, set[tuple[int, str]]]  # Page.path -> (taxon, NCBI id) of ORTHOLOG_OF

    def reports(self, file: str) -> list[Any]:
        return [e for e in self.summary.errors if e.file == file]


def read(driver: Any, settings: Settings, query: str, **params: Any) -> list[dict[str, Any]]:
    return db.run_read(driver, settings, query, params)


@pytest.fixture(scope="module")
def bad_run(driver: Any, settings: Settings, prefect_harness: None,
            tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The whole bad corpus through `ingest_flow` once, into an empty database.

    `load_fresh(..., None)` is exactly what the `empty_graph` fixture does; it is called here
    because this run is shared by the module. Everything the tests check in the graph is read
    right after the run, so later tests that wipe the database cannot disturb it.
    """
    from pipeline.flow.flows import ingest_flow

    corpus = mk.build(tmp_path_factory.mktemp("bad"))
    load_fresh(driver, settings, None)
    started = time.perf_counter()
    summary = ingest_flow(str(corpus.root))
    seconds = time.perf_counter() - started
    pages = {r["path"]: r for r in read(driver, settings,
             "MATCH (p:Page) OPTIONAL MATCH (p)-[:DESCRIBES]->(g:Gene) "
             "RETURN p.path AS path, g.symbol AS symbol, g.key AS key")}
    symbols = {r["s"] for r in read(driver, settings,
               "MATCH (g:Gene) WHERE g.symbol IS NOT NULL RETURN g.symbol AS s")}
    exports = {path: fm for p in pages for path, fm in export_page(driver, settings, path=p)}
    counts = {p: read(driver, settings,
              "MATCH (:Page {path: $p})-[:DESCRIBES]->(g:Gene) "
              "RETURN COUNT { (g)-[:HAS_IMAGE]->(:Image) } AS images, "
              "COUNT { (g)-[:HAS_ORTHOLOG_ROW]->(:OrthologRow) } AS orthologs, "
              "COUNT { (g)-[:DESCRIBED_BY]->(:Source) } AS sources", p=p)[0] for p in pages}
    orthologs = {p: {(r["taxon"], r["id"]) for r in read(driver, settings,
                 "MATCH (:Page {path: $p})-[:DESCRIBES]->(:Gene)-[:ORTHOLOG_OF]->(o:Gene)"
                 "-[:IN_SPECIES]->(s:Species) WHERE o.ncbi_id IS NOT NULL "
                 "RETURN s.taxon_id AS taxon, o.ncbi_id AS id", p=p)} for p in pages}
    return Run(corpus, summary, seconds, pages, symbols, exports, counts, orthologs)


def test_every_file_is_seen_and_accounted_for(bad_run: Run) -> None:
    summary, entries = bad_run.summary, bad_run.corpus.md_entries()
    assert summary.pages_seen == len(entries)
    assert summary.pages_unchanged == 0
    assert summary.pages_loaded + summary.pages_failed == summary.pages_seen
    assert summary.pages_loaded == len(bad_run.pages)
    assert summary.pages_failed == len(summary.errors)  # one report per failed page, no more
    assert {e.file for e in summary.errors} <= set(entries)  # README.txt is not a page
    assert all(e.severity == "error" for e in summary.errors)
    assert bad_run.seconds < 120, f"the bad corpus took {bad_run.seconds:.1f} s"


def test_no_file_is_reported_twice(bad_run: Run) -> None:
    twice = {f: n for f, n in Counter(e.file for e in bad_run.summary.errors).items() if n > 1}
    assert twice == {}


def test_good_pages_and_winners_load_and_nothing_else(bad_run: Run) -> None:
    loaded = set(bad_run.pages) - SILENTLY_LOADED
    assert loaded == set(GOOD) | set(WINNERS)
    for name in (*GOOD, *WINNERS):
        fm = front_matter(mk.BAD / name)
        assert bad_run.pages[name]["symbol"] == fm["symbol"]
        assert bad_run.counts[name] == {
            "images": len(fm.get("images") or []),
            "orthologs": len(fm.get("orthologs") or []),
            "sources": len(fm.get("sources") or []),
        }, name
        assert not bad_run.reports(name), name


@pytest.mark.parametrize("name", GOOD)
def test_ortholog_ids_including_comma_joined_ones(bad_run: Run, name: str) -> None:
    fm = front_matter(mk.BAD / name)
    expected = {(TAXON[row["species"]], ident.strip())
                for row in fm["orthologs"] for ident in row["entrez"].split(",") if ident.strip()}
    assert any("," in row["entrez"] for row in fm["orthologs"])
    assert bad_run.orthologs[name] == expected


@pytest.mark.parametrize("name", (*GOOD, *WINNERS))
def test_export_round_trip_of_a_good_page(bad_run: Run, name: str) -> None:
    assert bad_run.exports[name] == front_matter(mk.BAD / name)


@pytest.mark.parametrize("kind", [k.param() for k in KINDS])
def test_bad_page_is_reported_once_and_not_loaded(bad_run: Run, kind: Kind) -> None:
    if kind.file in bad_run.corpus.skipped:
        pytest.skip(bad_run.corpus.skipped[kind.file])
    reports = bad_run.reports(kind.file)
    assert len(reports) == 1, reports
    report = reports[0]
    assert report.severity == "error"
    assert report.field in kind.fields, report
    assert re.search(kind.message, report.message), report
    assert "\n" not in report.message and 0 < len(report.message) <= 300, report
    assert kind.file not in bad_run.pages


def test_symlink_outside_is_not_followed(bad_run: Run) -> None:
    assert "OUTSIDE" not in bad_run.symbols
    assert (bad_run.corpus.outside / "OUTSIDE.md").read_text(encoding="utf-8").count("OUTSIDE")


def test_conflicts_have_a_deterministic_winner_and_never_merge(bad_run: Run) -> None:
    by_key = Counter(p["key"] for p in bad_run.pages.values())
    assert all(n == 1 for n in by_key.values()), by_key  # one Page per Gene
    winner = bad_run.pages["conflict-gene-id-a.md"]
    assert (winner["symbol"], winner["key"]) == ("CONFIDA", "NCBITaxon:9031/NCBIGene:9900100")
    assert "CONFIDB" not in bad_run.symbols
    assert bad_run.exports["conflict-symbol-a.md"]["name"].startswith("first page")
    assert bad_run.exports["good-alpha.md"] == front_matter(mk.BAD / "good-alpha.md")


def _b_then_a(root: Path) -> list[Any]:
    """Run 1: only conflict-gene-id-b.md; runs 2 and 3: a (the smaller path) has arrived."""
    from pipeline.flow.flows import ingest_flow

    root.mkdir()
    shutil.copyfile(mk.BAD / "conflict-gene-id-b.md", root / "conflict-gene-id-b.md")
    first = ingest_flow(str(root))
    assert (first.pages_loaded, first.errors) == (1, [])
    shutil.copyfile(mk.BAD / "conflict-gene-id-a.md", root / "conflict-gene-id-a.md")
    return [ingest_flow(str(root)), ingest_flow(str(root))]


def test_later_smaller_path_wins_and_the_loser_is_reported(
    empty_graph: Any, settings: Settings, tmp_path: Path
) -> None:
    """The winner does not depend on the order pages arrived: b held the gene, a takes it."""
    second, third = _b_then_a(tmp_path / "pages")
    assert [(e.file, e.field) for e in second.errors] == [("conflict-gene-id-b.md", "gene_id")]
    assert "also described by conflict-gene-id-a.md, which wins" in second.errors[0].message
    assert [(e.file, e.field) for e in third.errors] == [("conflict-gene-id-b.md", "gene_id")]
    assert "already described by conflict-gene-id-a.md" in third.errors[0].message
    paths = {r["path"] for r in read(empty_graph, settings, "MATCH (p:Page) RETURN p.path AS path")}
    assert paths == {"conflict-gene-id-a.md"}


def test_summary_counts_the_displaced_loser(
    empty_graph: Any, settings: Settings, tmp_path: Path
) -> None:
    second, _third = _b_then_a(tmp_path / "pages")
    counts = (second.pages_loaded, second.pages_unchanged, second.pages_failed)
    assert counts == (1, 0, 1)
    assert second.pages_failed == len(second.errors)


def test_later_winner_keeps_its_gene(
    empty_graph: Any, settings: Settings, tmp_path: Path
) -> None:
    _b_then_a(tmp_path / "pages")
    rows = read(empty_graph, settings, "MATCH (p:Page) OPTIONAL MATCH (p)-[:DESCRIBES]->(g:Gene) "
                "RETURN p.path AS path, g.symbol AS symbol")
    assert rows == [{"path": "conflict-gene-id-a.md", "symbol": "CONFIDA"}]
    assert export_page(empty_graph, settings, path="conflict-gene-id-a.md") == [
        ("conflict-gene-id-a.md", front_matter(mk.BAD / "conflict-gene-id-a.md"))]


# ------------------------------------------------------------------------------ limits


def test_size_limit_refuses_a_50_mb_page_without_reading_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    limit = get_settings().ingest.max_page_bytes
    assert limit < mk.BIG_PAGE_BYTES
    big = mk.write_big_page(tmp_path / "page-50mb.md")
    opened: list[Path] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened.append(self)
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", spy)
    started = time.perf_counter()
    issue = read_page(tmp_path, big, limit)
    elapsed = time.perf_counter() - started
    assert isinstance(issue, PageIssue), issue
    assert (issue.field, issue.message) == (
        FILE, f"{mk.BIG_PAGE_BYTES} bytes is over the page size limit of {limit}")
    assert opened == []  # refused on its size alone: never opened, let alone read
    assert elapsed < 0.5


def test_size_limit_boundary(tmp_path: Path) -> None:
    page = tmp_path / "good-gamma.md"
    shutil.copyfile(mk.BAD / "good-gamma.md", page)
    size = page.stat().st_size
    assert isinstance(read_page(tmp_path, page, size), RawPage)
    refused = read_page(tmp_path, page, size - 1)
    assert isinstance(refused, PageIssue) and refused.field == FILE


def test_alias_limit_refuses_quickly() -> None:
    started = time.perf_counter()
    issue = read_page(mk.BAD, mk.BAD / "yaml-aliases-over-limit.md", 5_000_000)
    assert isinstance(issue, PageIssue) and issue.field == FM, issue
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(("name", "offending"), [
    ("yaml-error-position.md", "title: a: b"), ("tab-indented.md", "\t- image_url"),
])
def test_yaml_error_names_the_offending_line(bad_run: Run, name: str, offending: str) -> None:
    lines = (mk.BAD / name).read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, start=1) if text.startswith(offending))
    [report] = bad_run.reports(name)
    assert f"at line {line}," in report.message, report.message


# ------------------------------------------------------------------------------ one at a time


@pytest.mark.parametrize("kind", [k.param() for k in ISOLATED])
def test_isolated_bad_page_does_not_abort_the_run(
    empty_graph: Any, settings: Settings, tmp_path: Path, kind: Kind
) -> None:
    """The three good pages and one bad one: the bad one is reported, the rest loads."""
    from pipeline.flow.flows import ingest_flow

    root = mk.build_isolated(kind.file, tmp_path)
    summary = ingest_flow(str(root))
    reports = [e for e in summary.errors if e.file == kind.file]
    assert len(reports) == 1, summary.errors
    assert reports[0].field in kind.fields and re.search(kind.message, reports[0].message)
    assert "\n" not in reports[0].message
    paths = {r["path"] for r in read(empty_graph, settings, "MATCH (p:Page) RETURN p.path AS path")}
    assert paths == set(GOOD)


# A child process capped at 2 GB of address space: a YAML bomb must not be able to take the
# host down with it (before extract.py sized the alias expansion, the billion laughs below grew
# past 15 GB and was OOM-killed).
BOUNDED_CHILD = textwrap.dedent("""
    import json, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    from pipeline.ingest.chunks import process_chunk
    result = process_chunk(sys.argv[1], [sys.argv[2]], {}, 5_000_000)
    print(json.dumps({"issues": [i.as_dict() for i in result.issues],
                      "loaded": [r.path for r in result.pages]}))
""")


def bounded_process_chunk(root: Path, name: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, "-c", BOUNDED_CHILD, str(root), name],
                              capture_output=True, text=True, timeout=120, cwd=REPO, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{name}: not refused within {exc.timeout} s")
    return done, time.perf_counter() - started


def test_bounded_child_loads_a_good_page() -> None:
    """Control for the next test: the 2 GB cap itself does not stop a normal page."""
    done, _ = bounded_process_chunk(mk.BAD, "good-alpha.md")
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout) == {"issues": [], "loaded": ["good-alpha.md"]}


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    shutil.copyfile(mk.ISOLATED / "billion-laughs.page", tmp_path / "billion-laughs.md")
    done, seconds = bounded_process_chunk(tmp_path, "billion-laughs.md")
    assert done.returncode == 0, done.stderr[-500:]
    result = json.loads(done.stdout)
    assert result["loaded"] == []
    assert [(i["file"], i["field"]) for i in result["issues"]] == [("billion-laughs.md", FM)]
    assert seconds < 10


# ------------------------------------------------------------------------------ the CLI


def cli_ingest(root: Path, **env: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", str(root), "--json"],
        capture_output=True, text=True, env={**os.environ, **env}, timeout=600, cwd=REPO,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout)  # exactly one JSON document on stdout, nothing else
    assert isinstance(summary, dict)
    return summary


def test_cli_ingest_json_reports_every_bad_page(
    shared_prefect_api: str, empty_graph: Any, settings: Settings, tmp_path: Path
) -> None:
    corpus = mk.build(tmp_path)
    summary = cli_ingest(corpus.root)
    assert summary["pages_seen"] == len(corpus.md_entries())
    errors = summary["errors"]
    assert all({"file", "field", "message"} <= set(e) for e in errors)
    by_file: dict[str, list[dict[str, str]]] = {}
    for error in errors:
        by_file.setdefault(error["file"], []).append(error)
    for kind in KINDS:
        if kind.bug or kind.file in corpus.skipped:
            continue
        assert len(by_file.get(kind.file, [])) == 1, (kind.file, by_file.get(kind.file))
        [error] = by_file[kind.file]
        assert error["field"] in kind.fields and re.search(kind.message, error["message"]), error
    paths = {r["path"] for r in read(empty_graph, settings, "MATCH (p:Page) RETURN p.path AS path")}
    assert paths - SILENTLY_LOADED == set(GOOD) | set(WINNERS)
    # --strict fails the run, and still lists every bad page, not only the first
    strict = subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", str(corpus.root), "--json", "--strict"],
        capture_output=True, text=True, env=dict(os.environ), timeout=600, cwd=REPO,
        check=False)
    assert strict.returncode == 1, strict.stderr[-3000:]
    assert strict.stderr.splitlines()[-1].startswith("error: --strict: "), strict.stderr[-3000:]
    failed = json.loads(strict.stdout)
    assert failed["status"] == "failed" and failed["pages_failed"] == summary["pages_failed"]
    assert {e["file"] for e in failed["errors"] if e["severity"] == "error"} == {
        e["file"] for e in errors if e["severity"] == "error"}


def test_cli_size_limit_from_the_environment(shared_prefect_api: str, empty_graph: Any,
                                            tmp_path: Path) -> None:
    """CHICKGRAPH_MAX_PAGE_BYTES (settings are cached per process, hence the subprocess)."""
    root = tmp_path / "pages"
    root.mkdir()
    for name in ("good-alpha.md", "good-gamma.md"):
        shutil.copyfile(mk.BAD / name, root / name)
    limit = (root / "good-gamma.md").stat().st_size
    assert (root / "good-alpha.md").stat().st_size > limit
    summary = cli_ingest(root, CHICKGRAPH_MAX_PAGE_BYTES=str(limit))
    assert (summary["pages_seen"], summary["pages_loaded"], summary["pages_failed"]) == (2, 1, 1)
    [error] = summary["errors"]
    assert (error["file"], error["field"]) == ("good-alpha.md", FILE)
    assert f"over the page size limit of {limit}" in error["message"]


def test_cli_refuses_a_folder_with_no_pages_and_keeps_the_graph(
    shared_prefect_api: str, empty_graph: Any, settings: Settings, tmp_path: Path
) -> None:
    """A wrong path (or a mount that is not there) is not a release that removed every page:
    one line naming it, exit 1, no traceback (Prefect logs a failed flow's exception on the
    console; the command's quiet console keeps it to its API), nothing deleted."""
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copyfile(mk.BAD / "good-alpha.md", pages / "good-alpha.md")
    load_fresh(empty_graph, settings, pages)
    empty = tmp_path / "empty"
    (empty / "sub").mkdir(parents=True)
    (empty / "sub" / "notes.txt").write_text("not a page", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(empty)],
                          capture_output=True, text=True, env=dict(os.environ), timeout=600,
                          cwd=REPO, check=False)
    assert done.returncode == 1, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert done.stderr.splitlines()[-1] == (
        f"error: {empty}: no pages (*.md) in this folder or below it; a sync to it would "
        "delete every page of the graph")
    paths = read(empty_graph, settings, "MATCH (p:Page) RETURN p.path AS path")
    assert paths == [{"path": "good-alpha.md"}]
