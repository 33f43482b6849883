"""The canonical form graph comparisons rest on: run-specific properties dropped, nothing else,
whatever order the server returns keys in, and relationship ends named by labels + identity."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from pipeline.queries.graph_dump import _relationships, _stable

keys = st.sampled_from(["key", "name", "loaded_at", "run_id", "stage", "created_at", "runs",
                        "at", "path"])
values = st.one_of(st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3),
                   st.none(), st.booleans())


@given(st.dictionaries(keys, values, max_size=6))
def test_stable_drops_exactly_the_run_specific_properties(props: dict) -> None:
    kept = {k: v for k, v in props.items() if not (k.endswith("_at") or k == "run_id")}
    assert _stable(props) == _stable(kept)
    assert _stable(dict(reversed(list(props.items())))) == _stable(props)  # key order
    for key in kept:  # everything else counts
        assert _stable({**props, key: ["changed"]}) != _stable(props)


def test_a_shape_seen_before_does_not_decide_for_another() -> None:
    assert _stable({"key": 1, "loaded_at": "x"}) == _stable({"key": 1})
    assert _stable({"key": 1, "loaded": "x"}) != _stable({"key": 1})
    assert _stable({"run_id": "a", "key": 1}) == _stable({"key": 1, "run_id": "b"})
    assert _stable({}) == _stable({"run_id": "r"}) == "{}"


def test_relationships_name_their_ends_by_sorted_labels_and_identity() -> None:
    rows = [
        (["Gene", "Chicken"], "g1", [["EXPRESSED_IN", ["AnatomicalStructure"], "heart",
                                      {"stage": "HH10", "updated_at": "t"}],
                                     ["IN_SPECIES", ["Species"], 9031, {}]]),
        (["Page"], "genes/a.md", [["DESCRIBES", ["Chicken", "Gene"], "g1", {}]]),
        (["Odd"], ["x", "y"], [["LINKS", ["Odd"], ["x", "y"], {}]]),  # a list as identity
    ]
    got = Counter(_relationships(rows))
    assert got == Counter({
        ("['Chicken', 'Gene', 'g1']", "EXPRESSED_IN", "['AnatomicalStructure', 'heart']",
         '{"stage": "HH10"}'): 1,
        ("['Chicken', 'Gene', 'g1']", "IN_SPECIES", "['Species', 9031]", "{}"): 1,
        ("['Page', 'genes/a.md']", "DESCRIBES", "['Chicken', 'Gene', 'g1']", "{}"): 1,
        ("['Odd', ['x', 'y']]", "LINKS", "['Odd', ['x', 'y']]", "{}"): 1,
    })
