"""Query parameters for the driver (pipeline/load/params.py): lists it logs by length only."""

from __future__ import annotations

import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from neo4j._codec.packstream import v1

from pipeline.load.params import Batch, for_driver

ROWS = [{"key": "g1", "props": {"symbol": "ALAS2", "ids": ["a", "b"]}, "n": 3, "x": None},
        {"key": "g2", "shows": [{"position": 0, "label": "heart"}], "when": date(2020, 1, 2)}]


def _python_pack(value: object) -> bytes:
    """The driver's pure-Python packer, which it uses when neo4j-rust-ext is not installed."""
    stream = io.BytesIO()
    packer = v1.Packer(stream)
    packer._py_pack(value, packer._inject_hooks())
    return stream.getvalue()


def test_a_batch_logs_its_length_not_its_rows() -> None:
    params = for_driver({"rows": ROWS, "name": "lock"}, ids=["a", "b"])
    assert repr(params["rows"]) == "<2 items>" and repr(params["ids"]) == "<2 items>"
    assert "ALAS2" not in " ".join(map(repr, ("query", params, {})))  # the driver's debug line
    assert params["name"] == "lock"
    assert params["rows"] == ROWS and params["rows"][0] is ROWS[0]  # shallow: items shared


def test_only_top_level_lists_are_wrapped() -> None:
    params = for_driver(rows=ROWS, props={"list": [1, 2]}, pair=("a", "b"), empty=[])
    assert type(params["rows"]) is Batch and type(params["empty"]) is Batch
    assert type(params["props"]["list"]) is list  # inside a map: left as it is
    assert params["pair"] == ("a", "b")  # not a list: left alone
    assert for_driver(None) == {} and for_driver() == {}


@pytest.mark.skipif(v1._rust_pack is None, reason="neo4j-rust-ext not installed")
def test_the_rust_packer_sends_a_batch_as_the_list_it_is() -> None:
    hooks = v1.Packer._inject_hooks()
    plain = {"rows": [dict(r, when=None) for r in ROWS]}
    assert v1._rust_pack(for_driver(plain), hooks) == v1._rust_pack(plain, hooks)


@given(st.recursive(st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(),
                    lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(st.text(max_size=5), inner, max_size=4), max_leaves=20))
def test_the_python_packer_sends_a_batch_as_the_list_it_is(value: object) -> None:
    assert _python_pack(for_driver(rows=[value])) == _python_pack({"rows": [value]})
    if v1._rust_pack is not None:
        hooks = v1.Packer._inject_hooks()
        assert v1._rust_pack(for_driver(rows=[value]), hooks) == _python_pack({"rows": [value]})
