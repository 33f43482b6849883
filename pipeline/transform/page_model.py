"""Pydantic schemas of a gene page's front matter: the boundary where shape is checked.

Strict mode: a number where a string belongs is an error, not a silent coercion, so what
loads is exactly what the page says. Text content (control characters, length) is checked
for every value at any depth by `transform.checked`, before these schemas run. Unknown keys
are allowed and carried through (they land in `extra_json` on the node they belong to), so
a new field upstream is never lost.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Annotated, Any, Required

from pydantic import AfterValidator, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict  # pydantic needs this one before Python 3.12

MAX_LIST = 5_000  # aliases, images, orthologs per page; GEISHA's largest page has ~300 images
MAX_TEXT = 100_000  # characters in one value

# TypedDicts, not BaseModels: only the verdict is used (records are built from the checked
# mapping), and a model builds an instance of itself for every image and ortholog row on
# the page, which made validation 2x slower (0.14 s against 0.07 s for the 1x corpus).
_STRICT = ConfigDict(strict=True, extra="allow")
_Text = str | None


class ImageEntry(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    image_url: Required[str]
    caption: _Text
    location: _Text
    source: _Text
    source_label: _Text
    stage: _Text
    thumbnail_url: _Text


class OrthologEntry(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    species: _Text
    entrez: _Text
    ensembl: _Text
    mod: _Text
    phenotypes: _Text
    symbol: _Text


class SourceEntry(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    name: Required[str]
    type: _Text
    url: _Text


class PaperEntry(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    title: _Text
    authors: _Text
    doi: _Text
    pubmed_id: _Text
    publication_date: _Text
    url: _Text


def _symbol_not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("symbol is blank")
    return value


def _template_length_is_count(value: str | None) -> str | None:
    if value is None or value == "":
        return value
    if not value.strip().isdigit():
        raise ValueError(f"template length {value!r} is not a whole number")
    if int(value) > 10_000_000:
        raise ValueError(f"template length {value} is implausibly large")
    return value


class GenePage(TypedDict, total=False):
    __pydantic_config__ = _STRICT  # type: ignore[misc]
    symbol: Required[Annotated[str, Field(min_length=1), AfterValidator(_symbol_not_blank)]]
    title: _Text
    name: _Text
    species: _Text
    gene_id: _Text
    ncbi_id: _Text
    cgnc_id: _Text
    gene_type: _Text
    gene: _Text
    aliases: Annotated[list[str] | None, Field(max_length=MAX_LIST)]
    forward_primer: _Text
    reverse_primer: _Text
    template_length: Annotated[_Text, AfterValidator(_template_length_is_count)]
    external_ids: dict[str, _Text] | None
    sources: Annotated[list[SourceEntry] | None, Field(max_length=MAX_LIST)]
    papers: Annotated[list[PaperEntry] | None, Field(max_length=MAX_LIST)]
    images: Annotated[list[ImageEntry] | None, Field(max_length=MAX_LIST)]
    orthologs: Annotated[list[OrthologEntry] | None, Field(max_length=MAX_LIST)]
    draft: bool | None
    date: dt.date | dt.datetime | str | None


@functools.cache
def _gene_page() -> TypeAdapter[GenePage]:
    """The schema, built on first use (~10 ms), never at import."""
    return TypeAdapter(GenePage)


def validate_page(front_matter: dict[str, Any]) -> None:
    """Raises pydantic's ValidationError when the page does not have GenePage's shape."""
    _gene_page().validate_python(front_matter)
