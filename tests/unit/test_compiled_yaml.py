"""The compiled path (yaml-rs) must build exactly what today's libyaml loader builds.

Pages go to yaml-rs only when pipeline/extract/compiled_yaml.py's screen allows it; every
other page, and every page yaml-rs refuses, is read by libyaml as before. Compared here: the
objects (values, types, key order) and the PageIssues, on every page of both real releases
and on generated YAML text full of the cases where YAML 1.1 and 1.2 differ; and, once
validated, interned keys, as libyaml's loader gives them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.extract import compiled_yaml
from pipeline.extract.pages import (
    _HANDLER,
    DuplicateKey,
    FastPageLoader,
    PageLoader,
    parse_page_bytes,
)
from pipeline.transform.records import checked
from tests.conftest import CURRENT, PREVIOUS, needs_corpus
from tests.yaml_documents import documents as yaml_documents

pytestmark = pytest.mark.skipif(not compiled_yaml.available(), reason="yaml-rs not installed")


def libyaml_today(text: str) -> Any:
    """What the page loader did before the compiled path."""
    return yaml.load(text, Loader=PageLoader if "*" in text else FastPageLoader)


def outcome(load: Any, text: str) -> str:
    try:
        return repr(load(text))
    except DuplicateKey as exc:
        return f"DuplicateKey {exc.key!r} {exc.problem_mark}"
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError) as exc:
        return f"{type(exc).__name__} {exc}"


def keys_interned(value: Any) -> bool:
    if isinstance(value, dict):
        return all(sys.intern(k) is k for k in value) and all(
            keys_interned(v) for v in value.values())
    if isinstance(value, list):
        return all(keys_interned(v) for v in value)
    return True


def page_without_compiled(monkeypatch: pytest.MonkeyPatch, rel: str, data: bytes) -> Any:
    with monkeypatch.context() as patch:
        patch.setattr(compiled_yaml, "_parse_yaml", None)  # as if yaml-rs were absent
        return parse_page_bytes(rel, data)


@needs_corpus
@pytest.mark.parametrize("release", [CURRENT, PREVIOUS], ids=["2025-11-29", "2025-11-24"])
def test_every_real_page_builds_the_same_objects_and_issues(
        release: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pages = sorted(release.glob("*.md"))
    assert len(pages) > 2700
    compiled = 0
    for page in pages:
        data = page.read_bytes()
        front_matter, _ = _HANDLER.split(data.decode("utf-8"))
        fast = compiled_yaml.load(front_matter)
        if fast is not compiled_yaml.NOT_LOADED:
            compiled += 1
            slow = libyaml_today(front_matter)
            assert fast == slow, page
            assert repr(fast) == repr(slow), page  # same types and key order too
            # keys are not interned on this path: validation interns them
            assert keys_interned(checked(fast, scan=False)), page
        new = parse_page_bytes(page.name, data)
        old = page_without_compiled(monkeypatch, page.name, data)
        assert repr(new) == repr(old), page  # same mapping, body and flag, or same PageIssue
    assert compiled > 0.9 * len(pages)  # the fast path is really taken


@pytest.mark.parametrize("text", [
    "a: 010\n", "a: 1_000\n", "a: 2023-01-01\n", "a: 1e3\n", "a: 12:30\n", "a: 0o17\n",
    "a: 0x1F\n", "a: .inf\n", "a: -.inf\n", "a: .NaN\n", "a: 1.5\n", "a: +5\n", "a: =\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n", "a: !!str 12\n", "a: !!int '7'\n", "a: &x 1\n",
    "a: [1, 2]\n", "a: {b: 1, b: 2}\n", "? a\n: b\n", "- 2023-01-01\n", "2023-01-01: x\n",
    "a:\n  # c\n  010\n", "a: 5 # five\n", "a: 12345678901234567890123\n",
    "a: x\x85b: y\n", "a: x\u2028b\n", "%YAML 1.1\n---\na: 1\n",
    "a: 1\n---\nb: 2\n", "a:\tb\n", "a: b\r\nc: d\n", "a: |\n", "a: >-\n  x\n",
    "  a: b\nc\n", "  a: b\n# c\nc: d\n", "", "k" * 1100 + ": v\n",
    "a: [] # c\n", "a: [b]\n", "[]: x\n", "a: {b: 1}\n",
    # nodes of Unicode blanks only: yaml-rs reads null, PyYAML the text (found by hypothesis)
    "a:\n  - \xa0\n", "a: \xa0\n", "- \u3000\n", "a: \xa0 #c\n", "\xa0: 1\n",
    "a: x\n  \u2003\n",
])
def test_what_yaml_1_1_and_1_2_read_differently_is_left_to_libyaml(text: str) -> None:
    assert compiled_yaml.load(text) is compiled_yaml.NOT_LOADED
    assert outcome(_HANDLER.load, text) == outcome(libyaml_today, text)


@pytest.mark.parametrize("text", [
    "a: 1\nb: x\n", "a: -3\nb: '010'\nc: \"2023-01-01\"\n", "a: true\nb: TRUE\nc: yes\n",
    "a: null\nb: ~\nc:\nd: on\n", "primer: 5'-AATT-3'\nids: 559593,497505\n",
    "a: \"\\u00e9\\t\\N\\_\"\n",
    "a: \"\\x07\"\n",
    "list:\n- a\n- - b\n  - c: d\n", "'q: k': 'v: w'\n",
    "a: []\nb: {}\nc:\n- []\n- {}  \n", "note: 'Related article: Anderson'\nb: x\n",
    "a: 'x:\n  y'\nb: \"p: q\"\n",
])
def test_pages_that_both_read_alike_take_the_compiled_path(text: str) -> None:
    fast = compiled_yaml.load(text)
    assert fast is not compiled_yaml.NOT_LOADED
    assert repr(fast) == repr(libyaml_today(text))


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "x:\n  k: 1\n  k: 2\n", "- a: 1\n  a: 1\n", "a: 1\n'a': 2\n",
    "a: 1\n\"\\x61\": 2\n", "x:\n  b: 'k: v'\n  b: 2\n",
    "a: 'k: v'\na: x\n", "a: x\na: 'k: v'\n", "a: \"k:\\ \"\nb: 'v: w'\nb: 1\n",
])
def test_duplicate_keys_are_refused_with_key_and_line(
        text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert compiled_yaml.load(text) is compiled_yaml.NOT_LOADED
    data = f"---\n{text}---\nbody\n".encode()
    issue = parse_page_bytes("p.md", data)
    assert issue == page_without_compiled(monkeypatch, "p.md", data)
    assert "duplicate key" in issue.message and " at line " in issue.message  # type: ignore


DEEP_PAGE = """
import sys
from pipeline.extract import compiled_yaml
from pipeline.extract.pages import parse_page_bytes
data = ("---\\nsymbol: x\\na:\\n" + sys.stdin.read() + "x\\n---\\nbody\\n").encode()
print(repr(parse_page_bytes("p.md", data)))
compiled_yaml._parse_yaml = None  # libyaml alone
print(repr(parse_page_bytes("p.md", data)))
"""


@pytest.mark.parametrize("nesting", [
    "- " * 100_000,  # 200 kB: a segfault in yaml-rs and py-yaml12 before the screen refused it
    "".join(" " * i + f"k{i}:\n" for i in range(3000)),  # indentation: 4.5 MB, under the limit
    "- " * 40 + "k:\n" + "".join(" " * (80 + i) + f"k{i}:\n" for i in range(1000)) + " " * 1080,
], ids=["dashes", "indentation", "both"])
def test_deep_nesting_goes_to_libyaml_and_never_crashes(nesting: str) -> None:
    """Run in a child process: a parser that crashes must fail this test, not end pytest."""
    assert compiled_yaml.load("a:\n" + nesting + "x\n") is compiled_yaml.NOT_LOADED
    done = subprocess.run([sys.executable, "-c", DEEP_PAGE], input=nesting,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    shipped, libyaml_alone = done.stdout.splitlines()
    assert shipped == libyaml_alone
    assert shipped.startswith("PageIssue(file='p.md', field='(front matter)'")
    assert "nesting" in shipped  # libyaml's "exceeded maximum nesting depth", or ours


def test_a_parser_that_keeps_duplicate_keys_turns_the_compiled_path_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    shipped = compiled_yaml._parse_yaml
    assert compiled_yaml._refuses_duplicates(shipped)

    def last_wins(text: str, **_: Any) -> Any:
        return {"a": 2} if text == "a: 1\na: 2\n" else {"b": "x"}

    monkeypatch.setattr(compiled_yaml, "_parse_yaml", last_wins)
    assert not compiled_yaml._refuses_duplicates(last_wins)
    assert compiled_yaml.load("b: x\n") is compiled_yaml.NOT_LOADED  # libyaml reads it


def test_nesting_within_64_columns_keeps_the_compiled_path() -> None:
    text = "a:\n" + "".join(" " * (2 * i) + f"k{i}:\n" for i in range(1, 31)) + " " * 62 + "v: 1\n"
    assert not compiled_yaml.screened_out(text)
    assert compiled_yaml.load(text) is not compiled_yaml.NOT_LOADED


# ---------------------------------------------------------------- generated YAML text

KEYS = ["a", "b", "a b", "'a'", '"a"', "é", "k:x", "1", "true", "null", "2023-01-01", "<<",
        "x1", "-a", "'1'", '"\\u0061"']
PLAIN = ["x", "010", "1_000", "2023-01-01", "2001-12-14 21:59:43.10 -5", "1e3", "1.5", "1.",
         ".5", "12:30", "190:20:30", "0x1F", "0o17", "0b101", "+5", "-0", "-7", "0", "42",
         "12345678901234567890", ".inf", "-.Inf", ".NaN", ".nope", "~", "null", "Null", "yes",
         "no", "on", "off", "true", "False", "TRUE", "<<", "=", "5'-AATT-3'", "14-3-3E",
         "stage 20", "HH8+", "24 hpf", "5 # c", "x # c", "a:b", "http://x/#y", "-", "- x",
         "- 5", "é", "ü 1", "?", "? x", "!", "!!str 5", "&a 5", "*a", "[a, 5]", "{b: 1}", "%",
         "|", ">-", "'", "x'", "''", "#", "5:"]
QUOTED = ["'010'", "'it''s'", "'a: b'", '"\\x41"', '"\\u00e9"', '"\\N\\_\\L\\P"', '"\\x07"',
          '"\\t\\e\\/"', '"a\\\n  b"', '"\\ud800"', "'two\n  lines'", '"\\0"', "''"]


# what GEISHA pages are made of: text keys, plain and quoted text, decimal ints, bools, nulls
SAFE_KEYS = ["a", "b", "a b", "'a'", '"a"', "é", "k:x", "x1", "-a", "'1'", "'true'"]
SAFE_VALUES = ["x", "stage 20", "HH8+", "24 hpf", "0", "42", "-7", "true", "no", "~", "",
               "5'-AATT-3'", "559593,497505", "a:b", "x # c", "http://x/#y", "ü 1", "x'",
               "'010'", "'a: b'", '"\\u00e9"', '"\\x07"', "'two\n  lines'", "|\n  text"]


@st.composite
def block(draw: st.DrawFn, indent: int = 0, depth: int = 0, keys: list[str] = KEYS,
          values: st.SearchStrategy[str] | None = None) -> str:
    """A block mapping or sequence as hand-written YAML, at `indent`."""
    if values is None:
        values = st.one_of(st.sampled_from(PLAIN), st.sampled_from(QUOTED),
                           st.text(st.characters(codec="utf-8"), max_size=6))
    pad = " " * indent
    lines = []
    as_list = draw(st.booleans()) and depth > 0
    for _ in range(draw(st.integers(1, 4))):
        nested = depth < 3 and draw(st.integers(0, 3)) == 0
        if nested:
            child = draw(block(indent + 2, depth + 1, keys, values))
            head = f"{pad}-" if as_list else f"{pad}{draw(st.sampled_from(keys))}:"
            lines.append(f"{head}\n{child}")
            continue
        value = draw(values)
        head = f"{pad}- " if as_list else f"{pad}{draw(st.sampled_from(keys))}: "
        if draw(st.integers(0, 5)) == 0 and value[:1] not in ("|", ">"):  # continuation line
            value += f"\n{pad}  {draw(values)}"
        lines.append(f"{head}{value}\n")
    return "".join(lines)


@settings(max_examples=600, deadline=None)
@given(block())
@example("a: 1\nb:\n  c: 010\n")
@example("a: 1\nb:\n  a: 1\n  a: 2\n")
def test_generated_text_loads_or_fails_the_same(text: str) -> None:
    assert outcome(_HANDLER.load, text) == outcome(libyaml_today, text)


@settings(max_examples=600, deadline=None)
@given(block(keys=SAFE_KEYS, values=st.one_of(
    st.sampled_from(SAFE_VALUES), st.text(st.characters(min_codepoint=0x20), max_size=6))))
@example("a: x\nb:\n  - a: 1\n    'a': 2\n")
def test_generated_page_like_text_loads_or_fails_the_same(text: str) -> None:
    """Mostly texts the screen lets through: yaml-rs builds them, or refuses duplicates."""
    assert outcome(_HANDLER.load, text) == outcome(libyaml_today, text)


@settings(max_examples=300, deadline=None)
@given(block())
def test_generated_pages_give_the_same_page_or_issue(text: str) -> None:
    data = f"---\n{text}---\nbody\n".encode()
    new = parse_page_bytes("p.md", data)
    saved, compiled_yaml._parse_yaml = compiled_yaml._parse_yaml, None
    try:
        old = parse_page_bytes("p.md", data)
    finally:
        compiled_yaml._parse_yaml = saved
    assert repr(new) == repr(old)


documents = yaml_documents(more_text=("010", "<<"))


@settings(max_examples=400, deadline=None)
@given(documents, st.sampled_from([None, False]), st.sampled_from([None, "'", '"']),
       st.sampled_from([20, 80]), st.booleans())
def test_dumped_documents_load_the_same(document: Any, flow: bool | None, style: str | None,
                                        width: int, unicode: bool) -> None:
    text = yaml.safe_dump({"root": document}, default_flow_style=flow, default_style=style,
                          width=width, allow_unicode=unicode)
    assert outcome(_HANDLER.load, text) == outcome(libyaml_today, text)


# The screen for blank-only nodes as one pattern (what `_blank_scalar` replaced: same answers,
# 5x slower on the corpus): a line's start, `:` or `-`, spaces, a non-ASCII blank, blanks, end.
BLANK_SCALAR_SPEC = re.compile(r"(?:^|[\n:-]) *[^\S\x00-\x7f][^\S\n]*(?:\n|$|#|:)")


def test_non_ascii_blanks_are_every_unicode_blank_beyond_ascii() -> None:
    beyond_ascii = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if chr(c).isspace())
    assert beyond_ascii == compiled_yaml.NON_ASCII_BLANKS


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=" \n:-#a\t\xa0\u3000\x85\u2028", max_size=30))
@example("a: \xa0")
@example("a:\t\xa0\n")
@example("x\xa0:\xa0\n")
@example("- \u3000 \xa0#")
def test_blank_only_node_screen_is_the_single_pattern(text: str) -> None:
    expected = bool(BLANK_SCALAR_SPEC.search(text))
    assert compiled_yaml._blank_scalar(text) == expected
    # and with the latin-1 shortcut (a search from the no-break space, unless NEL is there)
    assert compiled_yaml._blank_scalar(text, compiled_yaml._narrow(text)) == expected


@needs_corpus
@pytest.mark.parametrize("release", [CURRENT, PREVIOUS], ids=["2025-11-29", "2025-11-24"])
def test_blank_only_node_screen_agrees_on_every_real_page(release: Path) -> None:
    for path in sorted(release.glob("*.md")):
        text = path.read_text(encoding="utf-8")
        assert compiled_yaml._blank_scalar(text) == bool(BLANK_SCALAR_SPEC.search(text)), path


# ---------------------------------------------------------------- the screen's shortcuts

# The screen as it was before its shortcuts (latin-1 bytes for the odd characters, a search
# from the no-break space, possessive runs and a first-character lookahead before _NODE): the
# shortcuts must give the same verdict on every text, not only the same objects.
SPEC_AFTER_COLON = re.compile(r":  *" + compiled_yaml._NODE)
SPEC_AT_LINE_START = re.compile(
    r"\n(?: *(?:- +)*" + compiled_yaml._NODE + r"|(?:---|\.\.\.)(?:[ \n]|$)|%|[ -]{64})")


def screened_out_spec(text: str) -> bool:
    return bool("*" in text or compiled_yaml._ODD_CHARACTER.search(text)
                or BLANK_SCALAR_SPEC.search(text) or SPEC_AFTER_COLON.search(text)
                or SPEC_AT_LINE_START.search("\n" + text))


SCREEN_ALPHABET = " \n:-#a5.+<=[]{}!&*|>?%'\"\t\r\x00\x1f\x7f\x85\x9f\xa0é\u3000\u2028\ufeff"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=SCREEN_ALPHABET, max_size=40))
@example("a: - 5\n")
@example("- - -5\n")
@example("a:   [x]\n")
@example("  - - ?\n")
@example("\xa0: x\né\n")
@example("a: \x85\n")
@example("-<")  # possessive `(?:- +)*+` matched it on CPython 3.11.2 (python/cpython#106052)
@example("a: - <\n- - <\n")
def test_the_screen_gives_its_former_verdict(text: str) -> None:
    narrow = compiled_yaml._narrow(text)
    assert (narrow is not None) == all(ord(c) < 256 for c in text)
    assert compiled_yaml._odd_character(text, narrow) == bool(
        compiled_yaml._ODD_CHARACTER.search(text))
    assert bool(compiled_yaml._AFTER_COLON.search(text)) == bool(SPEC_AFTER_COLON.search(text))
    line_text = "\n" + text
    assert bool(compiled_yaml._AT_LINE_START.search(line_text)) == bool(
        SPEC_AT_LINE_START.search(line_text))
    assert compiled_yaml.screened_out(text) == screened_out_spec(text)


@settings(max_examples=600, deadline=None)
@given(block())
def test_the_screen_gives_its_former_verdict_on_generated_yaml(text: str) -> None:
    assert compiled_yaml.screened_out(text) == screened_out_spec(text)


@needs_corpus
@pytest.mark.parametrize("release", [CURRENT, PREVIOUS], ids=["2025-11-29", "2025-11-24"])
def test_the_screen_gives_its_former_verdict_on_every_real_page(release: Path) -> None:
    narrow = 0
    for path in sorted(release.glob("*.md")):
        text, _ = _HANDLER.split(path.read_text(encoding="utf-8"))
        assert compiled_yaml.screened_out(text) == screened_out_spec(text), path
        narrow += compiled_yaml._narrow(text) is not None
    assert narrow > 2000  # the latin-1 shortcut is really taken
