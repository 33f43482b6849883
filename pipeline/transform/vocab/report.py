"""Vocabulary report: how every raw stage label and location term in a corpus was mapped.

The report is the curator's to-do list: a new release can bring a spelling that neither
vocabulary knows, and such a label must show up with its count instead of vanishing into an
``unmapped:`` or ``unresolved:unparsed:`` key that nobody looks at.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict

from pipeline.transform.vocab.anatomy import AnatomyVocabulary
from pipeline.transform.vocab.stages import StageTable

__all__ = ["VocabRow", "unmapped", "vocab_report"]

RowKind = Literal["stage", "location"]


class VocabRow(BaseModel):
    """One raw label, what it maps to, and how often it occurs.

    ``status`` is, for stages, 'resolved', 'substage' or 'unresolved:<reason>'; for locations,
    the resolved kind: 'structure', 'non_structure' or 'unmapped'.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: RowKind
    label: str
    maps_to: str
    status: str
    count: int


def vocab_report(
    stage_counts: Mapping[str, int],
    location_counts: Mapping[str, int],
    stages: StageTable,
    anatomy: AnatomyVocabulary,
) -> list[VocabRow]:
    """One row per raw label, sorted by kind, then count (highest first), then label."""
    rows = [_stage_row(label, count, stages) for label, count in stage_counts.items()]
    rows += [_location_row(label, count, anatomy) for label, count in location_counts.items()]
    return sorted(rows, key=lambda row: (row.kind, -row.count, row.label))


def unmapped(rows: Iterable[VocabRow]) -> list[VocabRow]:
    """Rows that need curation: unparsed stage labels and unmapped location terms.

    Stage labels put in a named bucket (empty, unknown, other_species, typo) were decided on
    purpose, so they are not listed; only labels that no rule recognised are.
    """
    return [row for row in rows if _needs_curation(row)]


def _needs_curation(row: VocabRow) -> bool:
    if row.kind == "stage":
        return row.status == "unresolved:unparsed"
    return row.status == "unmapped"


def _stage_row(label: str | None, count: int, stages: StageTable) -> VocabRow:
    resolution = stages.resolve(label)
    status = resolution.status if resolution.reason is None else f"unresolved:{resolution.reason}"
    return VocabRow(
        kind="stage", label=resolution.label, maps_to=resolution.key, status=status, count=count
    )


def _location_row(label: str, count: int, anatomy: AnatomyVocabulary) -> VocabRow:
    resolution = anatomy.resolve(label)
    return VocabRow(
        kind="location", label=label, maps_to=resolution.key, status=resolution.kind, count=count
    )
