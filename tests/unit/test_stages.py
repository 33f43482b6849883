"""Stage table and stage-label resolution: the tricky labels of the real corpus, and order."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.transform.vocab.stages import Stage, StageTable, load_stage_table

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV"]


@pytest.fixture(scope="module")
def table() -> StageTable:
    return load_stage_table()


# ------------------------------------------------------------------ the table


def test_table_has_egk_then_hh_in_developmental_order(table: StageTable) -> None:
    keys = [stage.key for stage in table.stages]
    assert len(table.stages) == 60
    assert keys == [f"EGK-{r}" for r in ROMAN] + [f"HH{n}" for n in range(1, 47)]
    ordinals = [stage.ordinal for stage in table.stages]
    assert ordinals == sorted(ordinals)
    assert len(set(ordinals)) == 60


def test_ordinals_follow_the_documented_rule(table: StageTable) -> None:
    for number, roman in enumerate(ROMAN, start=1):
        stage = table.get(f"EGK-{roman}")
        assert stage is not None
        assert (stage.system, stage.number, stage.ordinal) == ("EGK", number, float(number))
    for number in range(1, 47):
        stage = table.get(f"HH{number}")
        assert stage is not None
        assert (stage.system, stage.number, stage.ordinal) == ("HH", number, 14.0 + number)


def test_egk_xiv_precedes_hh1(table: StageTable) -> None:
    assert table.ordinal_of("stage XIV") < table.ordinal_of("HH1") < table.ordinal_of("HH46")


def test_table_has_a_version_and_get_returns_none_for_unknown_keys(table: StageTable) -> None:
    assert table.version
    assert table.get("HH47") is None
    assert table.get("stage 10") is None  # get() takes canonical keys only


def test_egk_rows_carry_no_invented_facts(table: StageTable) -> None:
    for stage in table.stages[:14]:
        assert stage.ggaldv_id is None
        assert stage.name is None
        assert stage.start_dpf is None and stage.end_dpf is None
        assert stage.period is None and stage.period_id is None


def test_stage_models_are_frozen(table: StageTable) -> None:
    stage = table.stages[0]
    with pytest.raises(ValueError):
        stage.ordinal = 99.0  # type: ignore[misc]
    resolution = table.resolve("HH10")
    with pytest.raises(ValueError):
        resolution.key = "HH11"  # type: ignore[misc]


def test_load_stage_table_is_cached() -> None:
    assert load_stage_table() is load_stage_table()


# ------------------------------------------------------------------ resolution


@pytest.mark.parametrize(
    "label",
    ["stage 10", "Stage 10", "HH10", "hh 10", "HH 10", "  stage  10 ", "10", "HH-10", "STAGE 10"],
)
def test_arabic_numbers_are_hh(table: StageTable, label: str) -> None:
    resolution = table.resolve(label)
    assert (resolution.key, resolution.status, resolution.ordinal) == ("HH10", "resolved", 24.0)
    assert resolution.reason is None and resolution.parent_key is None
    assert resolution.label == label


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("stage X", "EGK-X"),
        ("stage XI", "EGK-XI"),
        ("stage XII", "EGK-XII"),
        ("stage XIII", "EGK-XIII"),
        ("stage XIV", "EGK-XIV"),
        ("EGKXI", "EGK-XI"),
        ("EGK XI", "EGK-XI"),
        ("egk-xii", "EGK-XII"),
        ("Stage xii", "EGK-XII"),
    ],
)
def test_roman_numerals_are_egk(table: StageTable, label: str, key: str) -> None:
    resolution = table.resolve(label)
    assert resolution.status == "resolved"
    assert resolution.key == key
    stage = table.get(key)
    assert stage is not None and resolution.ordinal == stage.ordinal


def test_stage_x_is_egk_not_hh10(table: StageTable) -> None:
    assert table.resolve("stage X").key == "EGK-X"
    assert table.resolve("stage 10").key == "HH10"
    assert table.ordinal_of("stage X") < table.ordinal_of("stage 1")


def test_plus_substage_sits_between_parent_and_next(table: StageTable) -> None:
    resolution = table.resolve("HH8+")
    assert resolution.status == "substage"
    assert resolution.key == "HH8+"
    assert resolution.parent_key == "HH8"
    assert resolution.ordinal == 22.5
    assert table.ordinal_of("HH8") < resolution.ordinal < table.ordinal_of("HH9")


def test_hh3_plus_and_minus_substages(table: StageTable) -> None:
    plus = table.resolve("HH3+")
    assert (plus.key, plus.parent_key, plus.ordinal) == ("HH3+", "HH3", 17.5)
    minus = table.resolve("HH8-")
    assert (minus.key, minus.parent_key, minus.ordinal) == ("HH8-", "HH8", 21.5)
    assert table.ordinal_of("HH7") < minus.ordinal < table.ordinal_of("HH8")


@pytest.mark.parametrize(
    ("label", "key"),
    [("unknown", "unresolved:unknown:unknown"), ("Unknown", "unresolved:unknown:unknown")],
)
def test_unknown(table: StageTable, label: str, key: str) -> None:
    resolution = table.resolve(label)
    assert (resolution.status, resolution.reason, resolution.key) == ("unresolved", "unknown", key)
    assert resolution.ordinal is None


@pytest.mark.parametrize("label", ["", "   ", None])
def test_empty(table: StageTable, label: str | None) -> None:
    resolution = table.resolve(label)
    assert (resolution.status, resolution.reason) == ("unresolved", "empty")
    assert resolution.key == "unresolved:empty:"
    assert resolution.ordinal is None
    assert resolution.label == (label or "")


@pytest.mark.parametrize(
    "label", ["24 hpf", "48 hpf", "75-90% epiboly", "Tailbud", "10 somites", "17 somites"]
)
def test_zebrafish_labels_are_never_guessed_as_chick(table: StageTable, label: str) -> None:
    resolution = table.resolve(label)
    assert resolution.status == "unresolved"
    assert resolution.reason == "other_species"
    assert resolution.other_species == "Danio rerio"
    assert resolution.ordinal is None
    assert resolution.key == f"unresolved:other_species:{label.casefold()}"


@pytest.mark.parametrize("label", ["stage 1419", "stage 1417", "HH47", "stage 0", "stage XV"])
def test_out_of_range_numbers_are_typos(table: StageTable, label: str) -> None:
    resolution = table.resolve(label)
    assert (resolution.status, resolution.reason, resolution.ordinal) == (
        "unresolved",
        "typo",
        None,
    )
    assert resolution.key == f"unresolved:typo:{label.casefold()}"


@pytest.mark.parametrize("label", ["garbage", "HH", "stage", "HH 10 11", "stage IIII", "E5"])
def test_anything_else_is_unparsed(table: StageTable, label: str) -> None:
    resolution = table.resolve(label)
    assert (resolution.status, resolution.reason) == ("unresolved", "unparsed")
    assert resolution.key.startswith("unresolved:unparsed:")


# ------------------------------------------------------------------ ordinal_of


@pytest.mark.parametrize(
    ("spelling", "ordinal"),
    [
        ("HH10", 24.0),
        ("hh 10", 24.0),
        ("stage 10", 24.0),
        ("10", 24.0),
        ("stage XII", 12.0),
        ("EGK XII", 12.0),
        ("EGKXI", 11.0),
        ("HH8+", 22.5),
        ("EGK-I", 1.0),
        ("HH46", 60.0),
    ],
)
def test_ordinal_of_accepts_query_spellings(
    table: StageTable, spelling: str, ordinal: float
) -> None:
    assert table.ordinal_of(spelling) == ordinal


@pytest.mark.parametrize("spelling", ["", "unknown", "24 hpf", "stage 1419", "HH 99", "brain"])
def test_ordinal_of_rejects_non_stages_with_accepted_spellings(
    table: StageTable, spelling: str
) -> None:
    with pytest.raises(ValueError, match="accepted spellings") as raised:
        table.ordinal_of(spelling)
    assert repr(spelling) in str(raised.value)
    assert "HH10" in str(raised.value) and "EGK XII" in str(raised.value)


# ------------------------------------------------------------------ properties


SPELLINGS = ("stage {n}", "Stage {n}", "HH{n}", "HH {n}", "hh{n}", "{n}", "STAGE  {n}", " HH-{n} ")


@given(number=st.integers(min_value=1, max_value=46), template=st.sampled_from(SPELLINGS))
def test_every_hh_spelling_resolves_to_its_stage(number: int, template: str) -> None:
    table = load_stage_table()
    resolution = table.resolve(template.format(n=number))
    assert resolution.key == f"HH{number}"
    assert resolution.ordinal == 14.0 + number


@given(number=st.integers(min_value=1, max_value=46), sign=st.sampled_from(["+", "-"]))
def test_every_substage_is_half_a_stage_from_its_parent(number: int, sign: str) -> None:
    table = load_stage_table()
    resolution = table.resolve(f"HH{number}{sign}")
    assert resolution.parent_key == f"HH{number}"
    assert resolution.ordinal == 14.0 + number + (0.5 if sign == "+" else -0.5)


@given(number=st.integers(min_value=1, max_value=14))
def test_every_roman_spelling_resolves_to_egk(number: int) -> None:
    table = load_stage_table()
    roman = ROMAN[number - 1]
    for spelling in (f"stage {roman}", f"EGK{roman}", f"EGK {roman}", f"egk-{roman.lower()}"):
        assert table.resolve(spelling).key == f"EGK-{roman}"


@given(text=st.text())
def test_random_text_never_raises_and_is_well_formed(text: str) -> None:
    resolution = load_stage_table().resolve(text)
    assert resolution.label == text
    if resolution.status == "unresolved":
        assert resolution.ordinal is None and resolution.reason is not None
        assert resolution.key.startswith(f"unresolved:{resolution.reason}:")
    else:
        assert resolution.ordinal is not None and resolution.reason is None


# ------------------------------------------------------------------ loading errors


def _write_table(path: Path, rows: str) -> Path:
    path.write_text(f'version: "t"\nstages:\n{rows}', encoding="utf-8")
    return path


def _row(key: str, system: str, number: int, ordinal: float) -> str:
    return (
        f"  - {{key: {key}, system: {system}, number: {number}, name: null, "
        f"ggaldv_id: null, ordinal: {ordinal}, start_dpf: null, end_dpf: null, "
        f"period: null, period_id: null}}\n"
    )


def test_loading_rejects_out_of_order_ordinals(tmp_path: Path) -> None:
    path = _write_table(
        tmp_path / "s.yaml", _row("HH2", "HH", 2, 16.0) + _row("HH1", "HH", 1, 15.0)
    )
    with pytest.raises(ValueError, match=r"'HH1'.*ordinal"):
        load_stage_table(path)


def test_loading_rejects_a_key_that_disagrees_with_its_number(tmp_path: Path) -> None:
    path = _write_table(tmp_path / "s.yaml", _row("HH3", "HH", 2, 16.0))
    with pytest.raises(ValueError, match=r"'HH3'.*'key'"):
        load_stage_table(path)


def test_loading_rejects_unknown_fields(tmp_path: Path) -> None:
    rows = _row("HH1", "HH", 1, 15.0).replace("period_id: null", "period_id: null, colour: red")
    with pytest.raises(ValueError, match="HH1"):
        load_stage_table(_write_table(tmp_path / "s.yaml", rows))


def test_a_small_valid_table_loads(tmp_path: Path) -> None:
    path = _write_table(
        tmp_path / "s.yaml", _row("EGK-XIV", "EGK", 14, 14.0) + _row("HH1", "HH", 1, 15.0)
    )
    table = load_stage_table(path)
    assert [stage.key for stage in table.stages] == ["EGK-XIV", "HH1"]
    assert isinstance(table.stages[0], Stage)
    assert table.resolve("stage 2").reason == "typo"  # in range for HH, absent from this table
