"""Front matter through a compiled YAML parser (yaml-rs), only where it cannot differ.

PyYAML builds every object in Python; yaml-rs builds them in Rust, ~7.5x faster here (and
1.7x faster than py-yaml12, the compiled parser used before it). But the two do not read
YAML the same way: yaml-rs follows the YAML 1.2 core schema (`010` is 10, `1e3` a float,
`2023-01-01` and `12:30` strings with `parse_datetime` off, `<<` an ordinary key) and has no
alias limits. Today's rules are PageLoader's (YAML 1.1 numbers and dates, YAML 1.2 booleans,
duplicate keys refused with their line). So a page takes this path only when a cheap screen
of its text proves that both parsers must build the same objects; every other page, and
every page yaml-rs rejects, goes to libyaml, which then also words the error. A false alarm
of the screen only costs speed.

Why the screen is enough: a plain scalar is typed by its first character. Outside
`0-9 + - . < = ~ n N t T f F` and the empty scalar, both schemas give a string; for
`~ n N t T f F` and empty both give the same null or bool (PageLoader's booleans are YAML
1.2's). So the screen refuses a scalar that starts where a scalar can start (a line's
indentation and `- ` markers, or after `: `) with a digit, a sign or dot before a digit,
`.i`/`.n`, `<` or `=`, unless its first line holds a character no number, date, merge or
value uses (`5'-AATT-3'`, `559593,497505`: text to both) or it is a decimal integer alone on
its line (the same int to both). Flow collections (but for a value that is just `[]` or
`{}`, empty to both), tags, anchors, aliases, block scalars (yaml-rs reads an empty `|` as a
newline), explicit keys, directives, document markers, tabs and the characters YAML 1.1 and
1.2 disagree on (line breaks other than LF, non-printables) are refused outright, and so is
a line starting with 64 columns of spaces and `-`: the compiled parsers recurse without a
limit (a 200 kB page of 100,000 nested `- ` crashed the process with a segfault, in
py-yaml12 as in yaml-rs; 5,000 levels still parse). With the rest screened out, block style
nests at most two levels per column (a sequence may sit at its key's indentation), so what
passes stays under ~130 levels, and the walk sends anything deeper than MAX_DEPTH to
libyaml. Any float or other type the walk meets also sends the page to libyaml.

Duplicate keys: yaml-rs refuses them (DuplicateKeyPolicy.Error: the page then goes to
libyaml, which words the error with its line), comparing keys as built; keys that are not
strings (`1:`, `true:`, `null:`) leave the fast path, so "equal after typing" and "equal as
text" (how PageLoader compares keys) coincide. Before yaml-rs (py-yaml12 kept the last of two
equal keys), a count of `: ` in the text proved that none was dropped: 0.07 s a pass over the
corpus, now the tests' job (every real page, generated duplicates at any depth).
"""

from __future__ import annotations

import functools
import re
from typing import Any

try:  # without yaml-rs every page goes to libyaml
    from yaml_rs import DuplicateKeyPolicy
    from yaml_rs import loads as _parse_yaml

    # how every page is parsed, and how the parser is asked about duplicates: the same options
    _OPTIONS: dict[str, Any] = {"parse_datetime": False,
                                "duplicate_key_policy": DuplicateKeyPolicy.Error}
except ImportError:  # pragma: no cover - depends on the environment
    _parse_yaml = None
    _OPTIONS = {}

MAX_DEPTH = 64  # deeper documents go to libyaml, which reports "nesting too deep" its way

# Characters YAML 1.1 and 1.2 read differently (NEL, LS and PS are line breaks to PyYAML),
# non-printables (an error either way: libyaml words it), tabs and CRs (blank and line-break
# rules differ in corners): the page goes to libyaml.
_ODD_CHARACTER = re.compile(
    "[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
# The same test for text whose characters all fit one byte (latin-1: 87% of the pages), as
# bytes deleted by `bytes.translate`: a C loop over a copy, 6x faster than the search (whose
# per-character class test was a quarter of the screen).
_ODD_BYTES = bytes(c for c in range(256) if _ODD_CHARACTER.match(chr(c)))
# A plain scalar that either schema may type as a number, date, merge key or value: it starts
# with a digit, a sign or dot before a digit, or `.i`/`.n` (`.inf`, `.nan`), `<` or `=`, and
# its first line, up to where a plain scalar ends (`: `, ` #`, the line's end), has only the
# characters of those types. A decimal integer alone on its line is the same int to both.
_TYPED = (r"(?=[0-9<=.+\-])(?!-?(?:0|[1-9][0-9]{0,17}) *(?:\n|$))"
          r"(?:[0-9<=]|[-+][0-9.]|\.[0-9iInN])"
          r"[0-9a-fA-FxoiInNtTzZ_:.+\- <=]*?(?::(?:[ \n]|$)| #|\n|$)")
# What may follow a node's start: flow collection (but for `[]` or `{}` alone on the rest of
# its line: an empty list or mapping to both, with no key in it), tag, anchor, alias, block
# scalar (yaml-rs reads an empty `|` as "\n", PyYAML as ""), explicit key, or _TYPED
_NODE = (r"(?:\[(?!\] *(?:\n|$))|\{(?!\} *(?:\n|$))|[!&*|>]|\?(?:[ \n]|$)|" + _TYPED
         + ")")
# the first characters _NODE can start with: a lookahead that fails at once for the common
# case (a key or text starting with a letter) before _NODE's branches are tried one by one
_NODE_START = r"(?=[\[{!&*|>?0-9<=.+\-])"
# two searches, each with a literal first character (a fast scan): a node after `: ` ...
_AFTER_COLON = re.compile(r": (?> *)" + _NODE_START + _NODE)
# ... and a node at a line's start, after its indentation and `- ` markers; document markers
# and directives. The text searched starts with a newline, so its first line is included.
# The runs of spaces and `- ` are atomic: _NODE never starts at a space or at `- `, so giving
# any back could not match, and trying it at each of ~475k line starts cost 3x the time. Atomic
# groups, not possessive quantifiers (`*+`): before 3.11.5, CPython could match a possessive
# repeat of a group where the greedy one does not (python/cpython#106052; Debian 12's 3.11.2
# screened `-<` out as a typed node), and its fix made `x*+` mean `(?>x*)` anyway.
# A line whose first 64 characters are spaces and `-`: block style needs such a line to nest
# past ~130 levels (at least a column per two levels); real pages reach 7.
_AT_LINE_START = re.compile(r"\n(?:(?> *(?:- +)*)" + _NODE_START + _NODE
                            + r"|(?:---|\.\.\.)(?:[ \n]|$)|%|[ -]{64})")
# A node that is only blanks, one of them not ASCII (`a: \xa0`): yaml-rs strips Unicode blanks
# and reads null, PyYAML keeps the text. Such a node starts after a line's start, `:` or `-`
# and spaces, with a non-ASCII blank, and ends where a plain scalar ends (the line's end, `#`,
# `:`). The search starts at the rare non-ASCII blank (a fast scan; most pages hold one, in
# keys such as `Biological\xa0Process`) and `_blank_scalar` checks what precedes it: one
# pattern with the start first scanned every `\n`, `:` and `-`, 5x slower on the corpus.
NON_ASCII_BLANKS = ("\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
                    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")  # str.isspace() beyond ASCII
_BLANK_TAIL = r"[^\S\n]*(?:\n|$|#|:)"  # blanks, then where a plain scalar ends
_BLANK_RUN = re.compile("[" + NON_ASCII_BLANKS + "]" + _BLANK_TAIL)
# In latin-1 text the only non-ASCII blanks are NEL and the no-break space; NEL is an odd
# character, so once that test has passed, a search starting at the literal no-break space
# (a fast scan) finds the same runs as _BLANK_RUN's class (tested per character: 10x slower).
_NBSP_RUN = re.compile("\xa0" + _BLANK_TAIL)


def _blank_scalar(fm_text: str, narrow: bytes | None = None) -> bool:
    """`narrow` is the text as latin-1 bytes when every character fits one (see _narrow)."""
    run = _NBSP_RUN if narrow is not None and "\x85" not in fm_text else _BLANK_RUN
    for match in run.finditer(fm_text):
        start = match.start()
        while start and fm_text[start - 1] == " ":
            start -= 1
        if not start or fm_text[start - 1] in "\n:-":
            return True
    return False


def _narrow(fm_text: str) -> bytes | None:
    """The text as latin-1 bytes, or None when a character does not fit in one byte. Python
    stores such text one byte a character, so this is a copy, not a conversion."""
    try:
        return fm_text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _odd_character(fm_text: str, narrow: bytes | None) -> bool:
    if narrow is None:
        return _ODD_CHARACTER.search(fm_text) is not None
    return len(narrow.translate(None, _ODD_BYTES)) != len(narrow)


def screened_out(fm_text: str) -> bool:
    """True when the text may hold something yaml-rs would read unlike PageLoader."""
    if "*" in fm_text:  # aliases: shared objects and alias limits are libyaml's business
        return True
    narrow = _narrow(fm_text)
    return bool(
        _odd_character(fm_text, narrow)
        or _blank_scalar(fm_text, narrow)
        or _AFTER_COLON.search(fm_text)
        or _AT_LINE_START.search(fm_text if fm_text.startswith("\n") else "\n" + fm_text)
    )


def available() -> bool:
    """True when the compiled parser is installed."""
    return _parse_yaml is not None


@functools.cache
def _refuses_duplicates(parse: Any) -> bool:
    """Whether this parser refuses a duplicate key, asked once per process: nothing else here
    checks for a dropped key, so a yaml-rs that kept one (another default, a regression) must
    turn the compiled path off, not lose a value silently."""
    try:
        parse("a: 1\na: 2\n", **_OPTIONS)
    except Exception:
        return True
    return False


def load(fm_text: str) -> Any:
    """The front matter as PageLoader would build it, or NOT_LOADED when the page must go to
    libyaml (screened out, rejected by yaml-rs, not a mapping, a non-text key, a type PageLoader
    would build otherwise, or a duplicate key)."""
    if _parse_yaml is None or not _refuses_duplicates(_parse_yaml) or screened_out(fm_text):
        return NOT_LOADED
    try:
        built = _parse_yaml(fm_text, **_OPTIONS)
    except Exception:  # any refusal: libyaml decides, and words the error
        return NOT_LOADED
    # several documents come back as a list, an empty one as None: libyaml words those
    if built.__class__ is not dict:
        return NOT_LOADED
    try:
        _vouch(built, 0)
    except _Unsure:
        return NOT_LOADED
    return built


class _NotLoaded:
    """Marker: this page goes to libyaml (a page may legitimately load as None)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "NOT_LOADED"


NOT_LOADED = _NotLoaded()


class _Unsure(Exception):
    """A value the fast path does not vouch for: a non-text key, another type, too deep."""


def _vouch(value: Any, depth: int) -> None:
    """Checks that the parser built only what PageLoader builds from the same text: text keys;
    text, int, bool and null leaves; no deeper than MAX_DEPTH. Nothing is copied: keys are not
    interned here, as the transform's key walk gives every key one shared object per name (an
    interning copy of each mapping cost 3x this walk)."""
    kind = value.__class__
    if kind is dict:
        if depth > MAX_DEPTH:
            raise _Unsure
        for key, item in value.items():
            if key.__class__ is not str:  # 1, true, null, or a wrapper for another key
                raise _Unsure
            if item.__class__ is not str:
                _vouch(item, depth + 1)
    elif kind is list:
        if depth > MAX_DEPTH:
            raise _Unsure
        for item in value:
            if item.__class__ is not str:
                _vouch(item, depth + 1)
    elif not (kind is int or kind is bool or value is None or kind is str):
        raise _Unsure  # a float (screened out before) or a tagged value: never expected
