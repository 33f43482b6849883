"""Extract: discovery of pages and the ways reading one page can fail (no Neo4j, no Prefect).

Every failure must come back as a `PageIssue` naming the file, a field and a one-line reason;
nothing here may raise for a bad page.
"""

from __future__ import annotations

import hashlib
import os
import pathlib
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import SourceError
from pipeline.extract.pages import (
    MAX_ALIASES,
    PageIssue,
    RawPage,
    discover,
    parse_page_bytes,
    read_page,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
MAX = 5_000_000
GOOD = b"---\nsymbol: GOOD\ngene_id: '1'\n---\n\n# GOOD\n"


def write(root: Path, rel: str, data: bytes | str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def assert_issue(result: object, rel: str, *needles: str, field: str | None = None) -> PageIssue:
    """A PageIssue for `rel`, with a field and a non-empty one-line message."""
    # type name only: the repr of an accepted alias bomb would expand it
    assert isinstance(result, PageIssue), f"expected a PageIssue, got {type(result).__name__}"
    assert result.file == rel
    assert result.field
    if field is not None:
        assert result.field == field
    assert result.message.strip()
    assert "\n" not in result.message
    assert result.severity == "error"
    for needle in needles:
        assert needle.casefold() in result.message.casefold(), result.message
    return result


def read_bytes_page(tmp_path: Path, data: bytes, name: str = "page.md", max_bytes: int = MAX):
    path = write(tmp_path, name, data)
    return read_page(tmp_path, path, max_bytes)


# ------------------------------------------------------------------ discover


def test_discover_is_sorted_by_relative_path_and_deterministic(tmp_path: Path) -> None:
    names = ["b.md", "a.md", "Z.md", "sub/c.md", "sub/a.md", "sub.md", "a b.md",
             "deep/er/x.md", "deep/a.md"]
    for name in names:
        write(tmp_path, name, GOOD)
    found = discover(tmp_path)
    rel = [p.relative_to(tmp_path).as_posix() for p in found]
    assert rel == sorted(names)
    assert discover(tmp_path) == found


def test_discover_order_does_not_depend_on_creation_order(tmp_path: Path) -> None:
    names = [f"d{i % 3}/p{i:02d}.md" for i in range(12)]
    first, second = tmp_path / "one", tmp_path / "two"
    for name in names:
        write(first, name, GOOD)
    for name in reversed(names):
        write(second, name, GOOD)
    assert [p.relative_to(first) for p in discover(first)] == [
        p.relative_to(second) for p in discover(second)
    ]


def test_discover_ignores_files_that_are_not_markdown(tmp_path: Path) -> None:
    write(tmp_path, "keep.md", GOOD)
    for other in ("notes.txt", "keep.md.bak", "keep.mdx", "README", "image.jpg", "md"):
        write(tmp_path, other, GOOD)
    (tmp_path / "folder.md").mkdir()  # a directory named like a page is not a page
    write(tmp_path, "folder.md/inner.md", GOOD)
    rel = [p.relative_to(tmp_path).as_posix() for p in discover(tmp_path)]
    assert rel == ["folder.md/inner.md", "keep.md"]


def test_discover_on_fixture_pages_finds_only_them() -> None:
    found = discover(FIXTURES)
    assert found, "tests/fixtures/pages must hold synthetic pages"
    assert all(p.suffix == ".md" for p in found)
    assert found == sorted(found, key=lambda p: p.relative_to(FIXTURES).as_posix())


def test_discover_refuses_a_missing_root_or_a_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="does not exist"):
        discover(tmp_path / "nope")
    page = write(tmp_path, "page.md", GOOD)
    with pytest.raises(SourceError, match="not a folder"):
        discover(page)


def test_a_folder_that_cannot_be_listed_stops_discovery(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Skipped, its pages would count as gone from the source and a sync would delete them.
    The tests run as root, which lists any folder: the refusal is the kernel's, simulated."""
    write(tmp_path, "a/x.md", GOOD)
    write(tmp_path, "locked/y.md", GOOD)
    scandir = os.scandir

    def refusing(path: str | os.PathLike[str]) -> object:
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    with pytest.raises(SourceError) as refused:
        discover(tmp_path)
    assert str(refused.value) == (f"{tmp_path / 'locked'}: cannot list this folder of the "
                                  "source: Permission denied")


def test_symlinked_folder_outside_the_root_is_not_walked(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    write(root, "in.md", GOOD)
    write(outside, "secret.md", GOOD)
    (root / "linked").symlink_to(outside, target_is_directory=True)
    rel = [p.relative_to(root).as_posix() for p in discover(root)]
    assert rel == ["in.md"]


def test_symlink_to_a_page_outside_the_root_is_reported_not_read(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    write(root, "in.md", GOOD)
    secret = write(outside, "secret.md", b"---\nsymbol: SECRET\n---\n")
    (root / "link.md").symlink_to(secret)
    (root / "chain.md").symlink_to(root / "link.md")  # a link to a link that leaves the root
    found = {p.relative_to(root).as_posix(): p for p in discover(root)}
    assert sorted(found) == ["chain.md", "in.md", "link.md"]
    for rel in ("link.md", "chain.md"):
        issue = assert_issue(read_page(root, found[rel], MAX), rel, "symlink", "outside",
                             field="(file)")
        assert "SECRET" not in issue.message
    assert isinstance(read_page(root, found["in.md"], MAX), RawPage)


def test_symlink_inside_the_root_is_followed(tmp_path: Path) -> None:
    target = write(tmp_path, "real/page.md", GOOD)
    (tmp_path / "alias.md").symlink_to(target)
    page = read_page(tmp_path, tmp_path / "alias.md", MAX)
    assert isinstance(page, RawPage)
    assert page.path == "alias.md"
    assert page.sha256 == hashlib.sha256(GOOD).hexdigest()


def test_dangling_symlink_is_an_issue_not_an_exception(tmp_path: Path) -> None:
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    assert_issue(read_page(tmp_path, tmp_path / "gone.md", MAX), "gone.md", field="(file)")


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.md"
    os.mkfifo(fifo)
    assert fifo in discover(tmp_path)
    assert_issue(read_page(tmp_path, fifo, MAX), "pipe.md", "not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files regardless of their mode")
def test_unreadable_file_is_an_issue(tmp_path: Path) -> None:
    path = write(tmp_path, "locked.md", GOOD)
    path.chmod(0)
    try:
        assert_issue(read_page(tmp_path, path, MAX), "locked.md", "permission")
    finally:
        path.chmod(0o644)


# ------------------------------------------------------------------ read_page: good pages


def test_raw_page_has_relative_path_sha256_size_and_front_matter(tmp_path: Path) -> None:
    data = b"---\nsymbol: ABC\nimages: []\n---\n\n# ABC\n\nbody text\n"
    write(tmp_path, "sub/ABC.md", data)
    page = read_page(tmp_path, tmp_path / "sub" / "ABC.md", MAX)
    assert isinstance(page, RawPage)
    assert page.path == "sub/ABC.md"
    assert page.sha256 == hashlib.sha256(data).hexdigest()
    assert page.size == len(data)
    assert page.front_matter == {"symbol": "ABC", "images": []}
    assert "body text" in page.body


def test_every_fixture_page_reads_and_hashes_its_bytes() -> None:
    for path in discover(FIXTURES):
        page = read_page(FIXTURES, path, MAX)
        assert isinstance(page, RawPage), page
        data = path.read_bytes()
        assert page.sha256 == hashlib.sha256(data).hexdigest()
        assert page.size == len(data)
        assert isinstance(page.front_matter.get("symbol"), str)


def test_byte_order_mark_is_tolerated_and_hashed(tmp_path: Path) -> None:
    data = "\ufeff---\nsymbol: BOM\n---\nbody\n".encode()
    page = read_bytes_page(tmp_path, data)
    assert isinstance(page, RawPage)
    assert page.front_matter == {"symbol": "BOM"}
    assert page.sha256 == hashlib.sha256(data).hexdigest()  # the hash is of the file's bytes


def test_crlf_line_endings_are_tolerated(tmp_path: Path) -> None:
    page = read_bytes_page(tmp_path, b"---\r\nsymbol: CRLF\r\ngene_id: '7'\r\n---\r\nbody\r\n")
    assert isinstance(page, RawPage)
    assert page.front_matter == {"symbol": "CRLF", "gene_id": "7"}


def test_different_bytes_give_different_hashes(tmp_path: Path) -> None:
    one = read_bytes_page(tmp_path, GOOD, "one.md")
    two = read_bytes_page(tmp_path, GOOD + b"\n", "two.md")
    assert isinstance(one, RawPage) and isinstance(two, RawPage)
    assert one.front_matter == two.front_matter
    assert one.sha256 != two.sha256


# ------------------------------------------------------------------ read_page: bad pages


@pytest.mark.parametrize(
    ("data", "needles", "field"),
    [
        (b"", ("empty",), "(file)"),
        (b"  \n\n\t\n", ("empty",), "(file)"),
        (b"---\nsymbol: A\x00B\n---\n", ("binary",), "(file)"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", ("binary",), "(file)"),
        ("---\nsymbol: A\n---\n".encode("utf-16"), ("binary",), "(file)"),
        (b"---\nsymbol: caf\xe9\n---\n", ("UTF-8", "offset 15"), "(file)"),
        (b"# Just a heading\n\nNo front matter here.\n", ("no YAML front matter",),
         "(front matter)"),
        (b"\n---\nsymbol: A\n---\n", ("no YAML front matter",), "(front matter)"),
        (b"---\nsymbol: A\ngene_id: '1'\n", ("not terminated",), "(front matter)"),
        (b"---\n---\n# body only\n", ("empty",), "(front matter)"),
        (b"---\n- a\n- b\n---\n", ("list", "not a mapping"), "(front matter)"),
        (b"---\njust a sentence\n---\n", ("str", "not a mapping"), "(front matter)"),
        (b"---\n42\n---\n", ("int", "not a mapping"), "(front matter)"),
    ],
    ids=["empty", "whitespace", "nul", "png", "utf16", "latin1", "no-fm", "late-fm",
         "unterminated", "empty-fm", "list-fm", "str-fm", "int-fm"],
)
def test_unreadable_pages_become_one_line_issues(
    tmp_path: Path, data: bytes, needles: tuple[str, ...], field: str
) -> None:
    assert_issue(read_bytes_page(tmp_path, data), "page.md", *needles, field=field)


@pytest.mark.parametrize(
    "data",
    [
        b"---\nsymbol: A\nfoo: [\nbar: 1\n---\n",
        b"---\nsymbol: 'A\n---\n",
        b"---\nsymbol: A\n\tfoo: 1\n---\n",
        b"---\nsymbol: A\nsymbol: : :\n---\n",
        b"---\nsymbol: *undefined\n---\n",
        b"---\nsymbol: !!python/object/apply:os.system ['true']\n---\n",
    ],
    ids=["flow", "quote", "tab", "colons", "undefined-alias", "python-tag"],
)
def test_yaml_errors_are_issues_with_a_line_number(tmp_path: Path, data: bytes) -> None:
    issue = assert_issue(read_bytes_page(tmp_path, data), "page.md", "YAML error",
                         field="(front matter)")
    assert re.search(r"line \d+, column \d+", issue.message), issue.message


@pytest.mark.parametrize(
    ("data", "line"),
    [
        (b"---\nsymbol: A\n\tfoo: 1\n---\n", 3),
        (b"---\nsymbol: !!python/object/apply:os.system ['true']\n---\n", 2),
        (b"---\nsymbol: A\ngene_id: '1'\nsymbol: *undefined\n---\n", 4),
    ],
    ids=["tab-line-3", "tag-line-2", "alias-line-4"],
)
def test_yaml_error_line_number_is_the_line_in_the_file(
    tmp_path: Path, data: bytes, line: int
) -> None:
    issue = assert_issue(read_bytes_page(tmp_path, data), "page.md", "YAML error")
    assert f"at line {line}," in issue.message, issue.message


def test_unsafe_yaml_tags_are_not_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = f"---\nsymbol: !!python/object/apply:os.system ['touch {marker}']\n---\n".encode()
    assert_issue(read_bytes_page(tmp_path, data), "page.md", "YAML error")
    assert not marker.exists()


def test_deep_nesting_is_an_issue_not_a_recursion_error(tmp_path: Path) -> None:
    data = b"---\nsymbol: A\nx: " + b"[" * 20_000 + b"]" * 20_000 + b"\n---\n"
    assert_issue(read_bytes_page(tmp_path, data), "page.md", field="(front matter)")


# ------------------------------------------------------------------ size limits


def test_page_over_max_bytes_is_refused_and_exact_limit_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, "page.md", GOOD)
    assert isinstance(read_page(tmp_path, path, len(GOOD)), RawPage)
    assert_issue(read_page(tmp_path, path, len(GOOD) - 1), "page.md", "limit",
                 str(len(GOOD) - 1), field="(file)")


def test_sparse_50_mb_page_is_refused_without_being_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.md"
    with path.open("wb") as handle:
        handle.write(GOOD)
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB is written or read

    def no_open(self: Path, *args: object, **kwargs: object) -> None:
        raise AssertionError(f"{self} was opened although its size is over the limit")

    monkeypatch.setattr(pathlib.Path, "open", no_open)
    started = time.perf_counter()
    issue = read_page(tmp_path, path, MAX)
    elapsed = time.perf_counter() - started
    assert_issue(issue, "huge.md", str(50 * 1024 * 1024), str(MAX), field="(file)")
    assert elapsed < 1.0


def test_sparse_file_behind_a_symlink_is_refused_by_its_target_size(tmp_path: Path) -> None:
    target = tmp_path / "big" / "target.md"
    target.parent.mkdir()
    with target.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    (tmp_path / "link.md").symlink_to(target)
    assert_issue(read_page(tmp_path, tmp_path / "link.md", MAX), "link.md", "limit")


# ------------------------------------------------------------------ YAML alias bombs


def _alias_bomb(levels: int, width: int) -> bytes:
    """`levels` anchored lists, each `width` aliases of the previous one."""
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for level in range(1, levels):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * width) + "]")
    return ("---\nsymbol: BOMB\n" + "\n".join(lines) + "\n---\n").encode()


def test_many_aliases_are_refused(tmp_path: Path) -> None:
    data = ("---\nsymbol: A\nx: &x lol\ny: [" + ", ".join(["*x"] * (MAX_ALIASES + 1))
            + "]\n---\n").encode()
    assert_issue(read_bytes_page(tmp_path, data), "page.md", "aliases", field="(front matter)")


def test_a_few_aliases_are_allowed(tmp_path: Path) -> None:
    data = b"---\nsymbol: A\nx: &x lol\ny: [*x, *x]\n---\n"
    page = read_bytes_page(tmp_path, data)
    assert isinstance(page, RawPage)
    assert page.front_matter["y"] == ["lol", "lol"]


def test_wide_alias_bomb_is_refused(tmp_path: Path) -> None:
    # 12 levels of 10 aliases: 120 aliases, 10**12 strings once expanded.
    assert_issue(read_bytes_page(tmp_path, _alias_bomb(12, 10)), "page.md", "aliases")


def test_classic_billion_laughs_is_refused(tmp_path: Path) -> None:
    data = _alias_bomb(9, 9)
    assert len(data) < 600
    # Only the type is inspected: any repr of the accepted front matter would expand the bomb.
    refused = isinstance(read_bytes_page(tmp_path, data), PageIssue)
    assert refused, "a 9-level alias bomb was accepted as a RawPage"


# ------------------------------------------------------------------ never raises


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_parse_page_bytes_never_raises_on_arbitrary_bytes(data: bytes) -> None:
    result = parse_page_bytes("x.md", data)
    if isinstance(result, PageIssue):
        assert result.file == "x.md" and result.field and "\n" not in result.message
    else:
        front_matter, body = result
        assert isinstance(front_matter, dict) and isinstance(body, str)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_parse_page_bytes_never_raises_on_arbitrary_front_matter(text: str) -> None:
    result = parse_page_bytes("x.md", f"---\n{text}\n---\nbody\n".encode("utf-8", "replace"))
    if isinstance(result, PageIssue):
        assert result.file == "x.md" and result.field and "\n" not in result.message
    else:
        assert isinstance(result[0], dict)
