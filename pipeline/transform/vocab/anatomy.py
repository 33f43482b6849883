"""Curated anatomy vocabulary: one canonical term per structure, with synonyms and part-of.

GEISHA's location strings are comma-separated lists of terms written by many curators over
many years, so one structure appears under several spellings ('Ear/Otic Placode' and
'Ear/Otic Placcode', 'Testes' and 'Testis', 'Extraembryonic Mesoderm' and 'extraembryonic
mesoderm'). The graph must hold one node per structure, and queries such as "expressed anywhere
in the brain" need a part-of hierarchy that the corpus does not carry. Both live in
``config/anatomy.yaml``; this module loads and validates that file and resolves raw terms.

A term that is not in the vocabulary is never dropped or guessed: it resolves to an
``unmapped:<label>`` key so that it can be counted and curated later.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.resources import config_file
from pipeline.transform.vocab.tables import entry_from_row, read_table

__all__ = [
    "DEFAULT_ANATOMY_PATH",
    "AnatomyResolution",
    "AnatomyTerm",
    "AnatomyVocabulary",
    "load_anatomy",
    "normalise_term",
    "split_location",
]

DEFAULT_ANATOMY_PATH = config_file("anatomy.yaml")
UNMAPPED_PREFIX = "unmapped:"

TermKind = Literal["structure", "non_structure"]
ResolvedKind = Literal["structure", "non_structure", "unmapped"]

_KEY_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_UBERON_RE = re.compile(r"UBERON:\d{7}")


class AnatomyTerm(BaseModel):
    """A canonical anatomy term as curated in config/anatomy.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    name: str
    kind: TermKind
    synonyms: tuple[str, ...]
    part_of: tuple[str, ...]
    uberon_id: str | None


class AnatomyResolution(BaseModel):
    """What one raw location term means: a curated term, or an explicit 'unmapped'."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    key: str
    name: str
    kind: ResolvedKind


def normalise_term(text: str) -> str:
    """Case-fold and collapse whitespace: the only equivalence applied to spellings."""
    return " ".join(text.split()).casefold()


def split_location(raw: str | None) -> list[str]:
    """Split a page's location string into terms, keeping order and repeats.

    Order and duplicates are kept because the caller records each term's position in the
    image's location list; deduplication is a decision for the graph, not for the parser.
    """
    if raw is None:
        return []
    return [piece.strip() for piece in str(raw).split(",") if piece.strip()]


class AnatomyVocabulary:
    """Validated anatomy terms with lookup by spelling and part-of traversal."""

    __slots__ = (
        "_by_key",
        "_children",
        "_closure_down",
        "_closure_up",
        "_parents",
        "_spellings",
        "terms",
        "version",
    )

    terms: tuple[AnatomyTerm, ...]
    version: str

    def __init__(self, terms: tuple[AnatomyTerm, ...], version: str) -> None:
        self._by_key = _index_keys(terms)
        _check_terms(terms, self._by_key)
        self._spellings = _index_spellings(terms)
        _check_acyclic(terms, self._by_key)
        self.terms = terms
        self.version = version
        self._children = _children_of(terms)
        self._parents = {term.key: term.part_of for term in terms}
        self._closure_down: dict[str, frozenset[str]] = {}
        self._closure_up: dict[str, frozenset[str]] = {}

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[AnatomyTerm]:
        return iter(self.terms)

    def get(self, key: str) -> AnatomyTerm | None:
        """The term with this exact key, or None."""
        return self._by_key.get(key)

    def resolve(self, label: str) -> AnatomyResolution:
        """Map one raw location term to its canonical term; never raises."""
        stripped = str(label).strip()
        key = self._spellings.get(normalise_term(stripped))
        if key is None:
            return AnatomyResolution(
                label=stripped,
                key=UNMAPPED_PREFIX + normalise_term(stripped),
                name=stripped,
                kind="unmapped",
            )
        term = self._by_key[key]
        return AnatomyResolution(label=stripped, key=term.key, name=term.name, kind=term.kind)

    def descendants(self, key: str) -> frozenset[str]:
        """The key itself and every term that is transitively part of it."""
        self._require(key)
        if key not in self._closure_down:
            self._closure_down[key] = _closure(key, self._children)
        return self._closure_down[key]

    def ancestors(self, key: str) -> frozenset[str]:
        """The key itself and every term it is transitively part of."""
        self._require(key)
        if key not in self._closure_up:
            self._closure_up[key] = _closure(key, self._parents)
        return self._closure_up[key]

    def key_for(self, spelling: str) -> str:
        """The key for a key, name or synonym typed by a person; ValueError with suggestions."""
        key = self._spellings.get(normalise_term(spelling))
        if key is not None:
            return key
        close = difflib.get_close_matches(
            normalise_term(spelling), list(self._spellings), n=5, cutoff=0.6
        )
        hint = ", ".join(f"{text!r} ({self._spellings[text]})" for text in close)
        raise ValueError(
            f"unknown anatomy term {spelling!r}"
            + (f"; close matches: {hint}" if hint else "; no close matches")
            + " (a term's key, name or any synonym is accepted, in any case)"
        )

    def _require(self, key: str) -> None:
        if key not in self._by_key:
            raise ValueError(f"unknown anatomy key {key!r}; use key_for() to look up a spelling")


def _closure(start: str, edges: Mapping[str, Iterable[str]]) -> frozenset[str]:
    """Every node reachable from start along edges, including start."""
    seen = {start}
    stack = [start]
    while stack:
        for nxt in edges.get(stack.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return frozenset(seen)


def _children_of(terms: tuple[AnatomyTerm, ...]) -> dict[str, tuple[str, ...]]:
    children: dict[str, list[str]] = {term.key: [] for term in terms}
    for term in terms:
        for parent in term.part_of:
            children[parent].append(term.key)
    return {key: tuple(kids) for key, kids in children.items()}


def _index_keys(terms: tuple[AnatomyTerm, ...]) -> dict[str, AnatomyTerm]:
    by_key: dict[str, AnatomyTerm] = {}
    for term in terms:
        if term.key in by_key:
            raise ValueError(f"term {term.key!r}: field 'key' is duplicated")
        by_key[term.key] = term
    return by_key


def _check_terms(terms: tuple[AnatomyTerm, ...], by_key: Mapping[str, AnatomyTerm]) -> None:
    """Field-level rules that pydantic types cannot express."""
    for term in terms:
        if not _KEY_RE.fullmatch(term.key):
            raise ValueError(
                f"term {term.key!r}: field 'key' must be a lower-case slug such as 'otic-placode'"
            )
        if not term.name.strip():
            raise ValueError(f"term {term.key!r}: field 'name' is empty")
        if term.uberon_id is not None and not _UBERON_RE.fullmatch(term.uberon_id):
            raise ValueError(
                f"term {term.key!r}: field 'uberon_id' {term.uberon_id!r} is not "
                "of the form UBERON:0000000"
            )
        for parent in term.part_of:
            if parent not in by_key:
                raise ValueError(f"term {term.key!r}: field 'part_of' names unknown key {parent!r}")
            if parent == term.key:
                raise ValueError(f"term {term.key!r}: field 'part_of' names the term itself")
        for synonym in term.synonyms:
            if not synonym.strip():
                raise ValueError(f"term {term.key!r}: field 'synonyms' has an empty entry")


def _index_spellings(terms: tuple[AnatomyTerm, ...]) -> dict[str, str]:
    """normalised spelling -> key; a spelling claimed by two terms is an error, not a choice."""
    owner: dict[str, tuple[str, str]] = {}
    for term in terms:
        for field, spellings in (
            ("key", (term.key,)),
            ("name", (term.name,)),
            ("synonyms", term.synonyms),
        ):
            for spelling in spellings:
                text = normalise_term(spelling)
                previous = owner.get(text)
                if previous is not None and previous[0] != term.key:
                    raise ValueError(
                        f"term {term.key!r}: field {field!r} spelling {spelling!r} already "
                        f"maps to term {previous[0]!r} (its {previous[1]!r})"
                    )
                owner.setdefault(text, (term.key, field))
    return {text: key for text, (key, _field) in owner.items()}


def _check_acyclic(terms: tuple[AnatomyTerm, ...], by_key: Mapping[str, AnatomyTerm]) -> None:
    """Depth-first search; a part_of cycle would make descendants() meaningless."""
    done: set[str] = set()
    for term in terms:
        path: list[str] = []
        on_path: set[str] = set()
        stack: list[tuple[str, Iterator[str]]] = [(term.key, iter(by_key[term.key].part_of))]
        path.append(term.key)
        on_path.add(term.key)
        while stack:
            key, parents = stack[-1]
            parent = next(parents, None)
            if parent is None:
                stack.pop()
                path.pop()
                on_path.discard(key)
                done.add(key)
            elif parent in on_path:
                cycle = " -> ".join([*path[path.index(parent) :], parent])
                raise ValueError(f"term {key!r}: field 'part_of' forms a cycle: {cycle}")
            elif parent not in done:
                stack.append((parent, iter(by_key[parent].part_of)))
                path.append(parent)
                on_path.add(parent)


def _term_fields(row: dict[str, Any]) -> dict[str, Any]:
    fields = dict(row)
    for name in ("synonyms", "part_of"):
        value = fields.get(name)
        fields[name] = tuple(value) if isinstance(value, list) else value
    return fields


@functools.lru_cache(maxsize=8)
def load_anatomy(path: Path | None = None) -> AnatomyVocabulary:
    """Read and validate the vocabulary once per path (default: config/anatomy.yaml)."""
    source = DEFAULT_ANATOMY_PATH if path is None else Path(path)
    version, rows = read_table(source, "terms")
    terms = tuple(entry_from_row(AnatomyTerm, "terms", "term", i, row, _term_fields)
                  for i, row in enumerate(rows))
    return AnatomyVocabulary(terms, version)
