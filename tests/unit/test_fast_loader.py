"""FastPageLoader must build exactly what PageLoader builds: it is only allowed to be faster.

Compared on every page of both real releases and on generated YAML (hypothesis), including
the cases that leave its fast path: numbers, dates, booleans, nulls, merge keys, non-text keys,
explicit tags, duplicate keys, and keys that are written in several ways.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pipeline.extract.pages import _HANDLER, DuplicateKey, FastPageLoader, PageLoader
from tests.conftest import CURRENT, PREVIOUS, needs_corpus
from tests.yaml_documents import documents as yaml_documents


def both(text: str) -> tuple[Any, Any]:
    return yaml.load(text, Loader=PageLoader), yaml.load(text, Loader=FastPageLoader)


def same(text: str) -> Any:
    slow, fast = both(text)
    assert fast == slow
    assert repr(fast) == repr(slow)  # same types too (True vs 1, date vs str)
    return fast


@needs_corpus
@pytest.mark.parametrize("release", [CURRENT, PREVIOUS], ids=["2025-11-29", "2025-11-24"])
def test_same_objects_as_page_loader_on_every_real_page(release: Any) -> None:
    pages = sorted(release.glob("*.md"))
    assert len(pages) > 2700
    for page in pages:
        front_matter, _ = _HANDLER.split(page.read_text(encoding="utf-8"))
        if "*" not in front_matter:  # what the handler would give FastPageLoader
            assert same(front_matter), page


@pytest.mark.parametrize("text", [
    "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 2025-11-29\ng: '2025-11-29'\nh: yes\n",
    "a: -3\nb: +4\nc: .5\nd: 0x1F\ne: 1_000\nf: .inf\ng: .nan_not\nh: ''\ni:\n",
    "1: one\n2.5: two\nnull: three\ntrue: four\n",
    "base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n",
    "a: !!str 12\nb: !!int '7'\nc: !!float '1'\n",
    "list: [a, 1, null, [b, {c: d}], {}]\nempty: []\n",
    "'quoted key': \"quoted value\"\nplain\u00a0nbsp: x\n",
    "t: 2025-11-29T10:11:12Z\n",
])
def test_values_off_the_fast_path_are_built_by_page_loader(text: str) -> None:
    same(text)


def test_nan_is_built_the_same_way() -> None:
    slow, fast = both("x: .nan\n")
    assert repr(slow) == repr(fast)


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "x:\n  k: 1\n  k: 2\n", "- {a: 1, a: 1}\n", "1: a\n1: b\n",
])
def test_duplicate_keys_are_refused_by_both(text: str) -> None:
    for loader in (PageLoader, FastPageLoader):
        with pytest.raises(DuplicateKey):
            yaml.load(text, Loader=loader)


@pytest.mark.parametrize("text", ["? [a, b]\n: c\n", "!!set {a, b}\n", "x: !!binary aGk=\n"])
def test_unusual_yaml_gives_the_same_result_or_the_same_error(text: str) -> None:
    assert outcome(text, PageLoader) == outcome(text, FastPageLoader)


documents = yaml_documents(st.dates(min_value=dt.date(1900, 1, 1)))


@settings(max_examples=300, deadline=None)
@given(documents, st.sampled_from([None, False, True]))
@example({True: None, "true": None}, None)  # `true:` and `'true':`: refused by both
def test_generated_documents_load_the_same(document: Any, flow_style: bool | None) -> None:
    text = yaml.safe_dump({"root": document}, default_flow_style=flow_style, allow_unicode=True)
    assert outcome(text, FastPageLoader) == outcome(text, PageLoader)


def outcome(text: str, loader: type) -> str:
    """The built value, or the refusal (e.g. keys `true` and `'true'`: a duplicate to both)."""
    try:
        return repr(yaml.load(text, Loader=loader))
    except DuplicateKey as exc:
        return f"DuplicateKey {exc.key!r}"
    except yaml.YAMLError as exc:
        return f"{type(exc).__name__} {exc}"
