"""Hypothesis strategies for YAML front matter: nested lists and mappings of the scalars that
trip YAML loaders (implicit booleans, nulls, numbers, dates, stage labels), shared by the
property tests of both fast loaders."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

TRICKY_TEXT = ["yes", "no", "on", "off", "True", "~", "null", "1e3", "0o17", "-", "12:30",
               "2025-11-29", "stage XII", "HH8+", "24 hpf", "", " x "]


def documents(*extra: st.SearchStrategy[Any], more_text: tuple[str, ...] = ()
              ) -> st.SearchStrategy[Any]:
    """Documents of up to 30 leaves; `extra` scalar strategies and `more_text` are added."""
    scalars = st.one_of(
        st.text(max_size=20), st.integers(), st.floats(allow_nan=False), st.booleans(),
        st.none(), *extra, st.sampled_from([*TRICKY_TEXT, *more_text]),
    )
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(st.one_of(st.text(max_size=10), st.integers(), st.booleans()),
                            children, max_size=5),
        ),
        max_leaves=30,
    )
