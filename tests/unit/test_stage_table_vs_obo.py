"""config/stages.yaml must agree with the GgalDv ontology it was read from.

The stage table is hand-kept YAML so that the pipeline needs no ontology parser at run time;
this test is what keeps it honest: ids, names, days post fertilisation and periods are checked
against ggaldv.obo, and no HH stage that GgalDv defines may be missing.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.transform.vocab.stages import DEFAULT_STAGES_PATH, StageTable, load_stage_table

pronto = pytest.importorskip("pronto", reason="pronto is needed to read the OBO file")

OBO = Path(__file__).resolve().parents[2].parent / "shared" / "ontology" / "ggaldv.obo"
HH_NAME = re.compile(r"Hamburger Hamilton stages? (\d+)")


@pytest.fixture(scope="module")
def ontology() -> Any:
    if not OBO.is_file():
        pytest.skip(f"GgalDv ontology not found at {OBO}")
    with warnings.catch_warnings():
        # pronto cannot process the header's treat-xrefs macro; it does not affect terms.
        warnings.simplefilter("ignore")
        return pronto.Ontology(str(OBO))


@pytest.fixture(scope="module")
def table() -> StageTable:
    return load_stage_table()


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_STAGES_PATH.read_text(encoding="utf-8"))


def _floats(term: Any, prop: str) -> list[float]:
    return sorted(
        float(value.literal)
        for value in term.annotations
        if getattr(value, "property", None) == prop
    )


def _part_of_parents(ontology: Any, term: Any) -> list[Any]:
    return list(term.relationships.get(ontology.get_relationship("part_of"), []))


def _uberon_xref(term: Any) -> str | None:
    ids = sorted(xref.id for xref in term.xrefs if xref.id.startswith("UBERON:"))
    return ids[0] if ids else None


def test_every_ggaldv_id_exists_and_is_current(ontology: Any, table: StageTable) -> None:
    for stage in table.stages:
        if stage.ggaldv_id is None:
            continue
        assert stage.ggaldv_id in ontology, stage.key
        assert not ontology[stage.ggaldv_id].obsolete, stage.key


def test_names_match(ontology: Any, table: StageTable) -> None:
    for stage in table.stages:
        if stage.ggaldv_id is not None:
            assert stage.name == ontology[stage.ggaldv_id].name.strip(), stage.key


def test_number_matches_the_ggaldv_name(ontology: Any, table: StageTable) -> None:
    for stage in table.stages:
        if stage.ggaldv_id is not None:
            match = HH_NAME.fullmatch(ontology[stage.ggaldv_id].name.strip())
            assert match is not None and int(match.group(1)) == stage.number, stage.key


def test_dpf_values_are_what_the_obo_states(ontology: Any, table: StageTable) -> None:
    for stage in table.stages:
        if stage.ggaldv_id is None:
            continue
        term = ontology[stage.ggaldv_id]
        starts, ends = _floats(term, "start_dpf"), _floats(term, "end_dpf")
        # A term may state a value twice (HH1 states two start_dpf values and no end):
        # the table keeps one that is stated, and never one that is not.
        assert stage.start_dpf in starts if starts else stage.start_dpf is None, stage.key
        assert stage.end_dpf in ends if ends else stage.end_dpf is None, stage.key


def test_periods_are_the_part_of_parents(ontology: Any, table: StageTable) -> None:
    for stage in table.stages:
        if stage.ggaldv_id is None:
            assert stage.period is None and stage.period_id is None
            continue
        parents = _part_of_parents(ontology, ontology[stage.ggaldv_id])
        assert [parent.id for parent in parents] == [stage.period_id], stage.key
        assert stage.period == parents[0].name, stage.key


def test_period_list_matches_the_obo(
    ontology: Any, document: dict[str, Any], table: StageTable
) -> None:
    listed = {period["id"]: period for period in document["periods"]}
    assert {stage.period_id for stage in table.stages if stage.period_id} <= set(listed)
    for period_id, period in listed.items():
        term = ontology[period_id]
        assert not term.obsolete
        assert period["name"] == term.name
        assert period["uberon_id"] == _uberon_xref(term)
        starts, ends = _floats(term, "start_dpf"), _floats(term, "end_dpf")
        assert period["start_dpf"] == (starts[0] if starts else None)
        assert period["end_dpf"] == (ends[0] if ends else None)


def test_every_hh_stage_of_ggaldv_is_in_the_table(ontology: Any, table: StageTable) -> None:
    by_number = {}
    for term in ontology.terms():
        match = HH_NAME.fullmatch(term.name.strip()) if term.name else None
        if match and not term.obsolete:
            by_number[int(match.group(1))] = term.id
    assert sorted(by_number) == list(range(1, 47))
    for number, term_id in by_number.items():
        stage = table.get(f"HH{number}")
        assert stage is not None and stage.ggaldv_id == term_id


def test_ggaldv_has_no_egk_stages(ontology: Any, table: StageTable) -> None:
    """The EGK rows carry no GgalDv id because GgalDv defines none, not by omission."""
    pattern = re.compile(r"eyal|kochav|\begk\b", re.IGNORECASE)
    for term in ontology.terms():
        texts = [term.name or "", *(synonym.description for synonym in term.synonyms)]
        assert not any(pattern.search(text) for text in texts), term.id
    assert all(stage.ggaldv_id is None for stage in table.stages if stage.system == "EGK")
