"""Chick developmental stages: the ordered stage table and the resolver for raw stage labels.

GEISHA pages label an image's stage with free text ("stage 10", "HH8+", "stage XII", "24 hpf",
"unknown", ""). The graph needs one stable key per stage and an ordinal to compare stages, so
every raw label is resolved here, once, by pure functions:

* Hamburger-Hamilton (HH) stages 1..46 are written "stage 10", "Stage 10", "HH10", "HH 10".
* Eyal-Giladi & Kochav (EGK) pre-streak stages I..XIV are written with roman numerals
  ("stage XII", "EGKXI"). In this corpus a roman numeral is always EGK and an arabic number is
  always HH, which is the only reading that keeps "stage X" (EGK X) apart from "stage 10" (HH10).
* "HH8+" / "HH8-" are sub-stages, ordered half a stage after / before their parent.
* Labels that are not chick stages are kept, never guessed: they resolve to an
  ``unresolved:<reason>:<label>`` key in one of a few named buckets, so that a count of
  "what did not resolve, and why" stays possible downstream.

The facts (names, GgalDv ids, days post fertilisation, periods) live in ``config/stages.yaml``;
this module only reads that table.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pipeline.resources import config_file
from pipeline.transform.vocab.tables import entry_from_row, read_table

__all__ = [
    "DEFAULT_STAGES_PATH",
    "Stage",
    "StageResolution",
    "StageTable",
    "UnresolvedReason",
    "load_stage_table",
]

DEFAULT_STAGES_PATH = config_file("stages.yaml")

System = Literal["EGK", "HH"]
ResolutionStatus = Literal["resolved", "substage", "unresolved"]
UnresolvedReason = Literal["empty", "unknown", "other_species", "typo", "unparsed"]

HH_LAST = 46
EGK_LAST = 14
ZEBRAFISH = "Danio rerio"

_ROMAN = (
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XIII",
    "XIV",
    "XV",
    "XVI",
    "XVII",
    "XVIII",
    "XIX",
    "XX",
)
_ROMAN_VALUE = {numeral.casefold(): value for value, numeral in enumerate(_ROMAN, start=1)}

# Spellings, matched against the case-folded, whitespace-collapsed label.
_HH_PREFIX = r"(?:hh|stage|st\.?|hamburger[- ]hamilton(?: stages?)?)"
_EGK_PREFIX = r"(?:egk|eg&k|stage|st\.?)"
_HH_RE = re.compile(rf"(?:{_HH_PREFIX} ?-? ?)?(?P<number>\d+) ?(?P<sign>[+-])?", re.ASCII)
_EGK_RE = re.compile(rf"{_EGK_PREFIX} ?-? ?(?P<roman>[ivx]+) ?(?P<sign>[+-])?", re.ASCII)
_UNKNOWN = frozenset({"unknown", "not known", "unspecified", "not specified", "n/a", "?"})
# Zebrafish staging (Kimmel et al. 1995): hours post fertilisation, epiboly, tailbud, somite
# counts. These labels come from zebrafish figures on chick gene pages; a somite count would
# map to an HH stage only by guessing, which this resolver never does.
_OTHER_SPECIES = (
    (re.compile(r"\d+(?:\.\d+)? ?hpf"), ZEBRAFISH),
    (re.compile(r"(?:\d+(?: ?- ?\d+)? ?% ?)?epiboly"), ZEBRAFISH),
    (re.compile(r"tail ?-?bud"), ZEBRAFISH),
    (re.compile(r"\d+(?: ?- ?\d+)? ?-?somites?"), ZEBRAFISH),
)

ACCEPTED_SPELLINGS = (
    "Hamburger-Hamilton 1-46 as 'HH10', 'hh 10', 'HH-10', 'stage 10', 'Stage 10' or '10'; "
    "Eyal-Giladi & Kochav I-XIV as 'stage XII', 'EGK XII', 'EGK-XII' or 'EGKXI'; "
    "either with a trailing '+' or '-' for a sub-stage ('HH8+')"
)


class Stage(BaseModel):
    """One row of the stage table: a named stage in developmental order."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    system: System
    number: int
    name: str | None
    ordinal: float
    ggaldv_id: str | None
    start_dpf: float | None
    end_dpf: float | None
    period: str | None
    period_id: str | None


class StageResolution(BaseModel):
    """What a raw stage label means: a stage, a sub-stage, or a named reason it is neither."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    label: str
    key: str
    status: ResolutionStatus
    ordinal: float | None
    parent_key: str | None
    reason: UnresolvedReason | None
    other_species: str | None


def normalise_label(label: str) -> str:
    """Case-fold and collapse whitespace, so resolution ignores both."""
    return " ".join(label.split()).casefold()


def stage_key(system: System, number: int) -> str:
    """The canonical key of a stage: 'HH10', 'EGK-XII'."""
    return f"HH{number}" if system == "HH" else f"EGK-{_ROMAN[number - 1]}"


def unresolved_key(reason: UnresolvedReason, label: str) -> str:
    """A stable key for a label that is not a chick stage, grouped by why."""
    return f"unresolved:{reason}:{normalise_label(label)}"


class StageTable:
    """The ordered stage table and the resolver of raw labels against it."""

    __slots__ = ("_by_key", "stages", "version")

    stages: tuple[Stage, ...]
    version: str

    def __init__(self, stages: tuple[Stage, ...], version: str) -> None:
        _check_table(stages)
        self.stages = stages
        self.version = version
        self._by_key = {stage.key: stage for stage in stages}

    def __len__(self) -> int:
        return len(self.stages)

    def __iter__(self) -> Iterator[Stage]:
        return iter(self.stages)

    def get(self, key: str) -> Stage | None:
        """The stage with this canonical key ('HH10', 'EGK-XII'), or None."""
        return self._by_key.get(key)

    def resolve(self, label: str | None) -> StageResolution:
        """Read a raw label from a page; never raises, never guesses."""
        raw = "" if label is None else str(label)
        text = normalise_label(raw)
        if not text:
            return _unresolved(raw, "empty")
        if text in _UNKNOWN:
            return _unresolved(raw, "unknown")
        for pattern, species in _OTHER_SPECIES:
            if pattern.fullmatch(text):
                return _unresolved(raw, "other_species", species)
        parsed = _parse(text)
        if parsed is None:
            return _unresolved(raw, "unparsed")
        system, number, sign = parsed
        stage = self._by_key.get(stage_key(system, number)) if _in_range(system, number) else None
        if stage is None:
            return _unresolved(raw, "typo")
        return _resolved(raw, stage, sign)

    def ordinal_of(self, spelling: str) -> float:
        """The ordinal of a stage typed by a person (a query parameter), or a clear ValueError."""
        resolution = self.resolve(spelling)
        if resolution.ordinal is None:
            why = {
                "empty": "it is empty",
                "unknown": "it says the stage is unknown",
                "other_species": f"it is a {resolution.other_species} stage, not a chick stage",
                "typo": f"the number is outside EGK I-{_ROMAN[EGK_LAST - 1]} / HH 1-{HH_LAST}",
                "unparsed": "it is not a stage spelling",
            }[resolution.reason or "unparsed"]
            raise ValueError(
                f"cannot read {spelling!r} as a chick stage ({why}); accepted spellings: "
                f"{ACCEPTED_SPELLINGS}"
            )
        return resolution.ordinal


def _parse(text: str) -> tuple[System, int, str | None] | None:
    """(system, number, sign) from a normalised label, or None when it is not a stage spelling."""
    if match := _HH_RE.fullmatch(text):
        # More than three digits is out of range anyway; capping avoids int() on huge strings.
        number = int(match["number"]) if len(match["number"]) <= 3 else 1000
        return "HH", number, match["sign"]
    if (match := _EGK_RE.fullmatch(text)) and match["roman"] in _ROMAN_VALUE:
        return "EGK", _ROMAN_VALUE[match["roman"]], match["sign"]
    return None


def _in_range(system: System, number: int) -> bool:
    last = HH_LAST if system == "HH" else EGK_LAST
    return 1 <= number <= last


def _resolved(label: str, stage: Stage, sign: str | None) -> StageResolution:
    if sign is None:
        return StageResolution(
            label=label,
            key=stage.key,
            status="resolved",
            ordinal=stage.ordinal,
            parent_key=None,
            reason=None,
            other_species=None,
        )
    offset = 0.5 if sign == "+" else -0.5
    return StageResolution(
        label=label,
        key=f"{stage.key}{sign}",
        status="substage",
        ordinal=stage.ordinal + offset,
        parent_key=stage.key,
        reason=None,
        other_species=None,
    )


def _unresolved(
    label: str, reason: UnresolvedReason, other_species: str | None = None
) -> StageResolution:
    return StageResolution(
        label=label,
        key=unresolved_key(reason, label),
        status="unresolved",
        ordinal=None,
        parent_key=None,
        reason=reason,
        other_species=other_species,
    )


def _check_table(stages: tuple[Stage, ...]) -> None:
    """Keys must match system+number and ordinals must rise, or ordering queries lie."""
    seen: set[str] = set()
    previous: Stage | None = None
    for stage in stages:
        expected = (
            stage_key(stage.system, stage.number) if _in_range(stage.system, stage.number) else None
        )
        if stage.key != expected:
            raise ValueError(
                f"stage {stage.key!r}: field 'key' should be {expected!r} for "
                f"system {stage.system} number {stage.number}"
            )
        if stage.key in seen:
            raise ValueError(f"stage {stage.key!r}: field 'key' is duplicated")
        seen.add(stage.key)
        if previous is not None and stage.ordinal <= previous.ordinal:
            raise ValueError(
                f"stage {stage.key!r}: field 'ordinal' ({stage.ordinal}) does not follow "
                f"{previous.key!r} ({previous.ordinal}); stages must be in developmental order"
            )
        previous = stage


def _stage_fields(row: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in row.items() if name != "note"}


@functools.lru_cache(maxsize=8)
def load_stage_table(path: Path | None = None) -> StageTable:
    """Read and validate the stage table once per path (default: config/stages.yaml)."""
    source = DEFAULT_STAGES_PATH if path is None else Path(path)
    version, rows = read_table(source, "stages")
    stages = tuple(entry_from_row(Stage, "stages", "stage", i, row, _stage_fields)
                   for i, row in enumerate(rows))
    return StageTable(stages, version)
