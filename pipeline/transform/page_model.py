"""Pydantic models of a gene page's front matter: the boundary where shape is checked.

Strict mode: a number where a string belongs is an error, not a silent coercion, so what
loads is exactly what the page says. Text content (control characters, length) is checked
for every value at any depth by `transform.checked`, before these models run. Unknown keys
are allowed and carried through (they land in `extra_json` on the node they belong to), so
a new field upstream is never lost.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_LIST = 5_000  # aliases, images, orthologs per page; GEISHA's largest page has ~300 images
MAX_TEXT = 100_000  # characters in one value


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="allow", frozen=True)


class ImageEntry(_Strict):
    image_url: str
    caption: str | None = None
    location: str | None = None
    source: str | None = None
    source_label: str | None = None
    stage: str | None = None
    thumbnail_url: str | None = None


class OrthologEntry(_Strict):
    species: str | None = None
    entrez: str | None = None
    ensembl: str | None = None
    mod: str | None = None
    phenotypes: str | None = None
    symbol: str | None = None


class SourceEntry(_Strict):
    name: str
    type: str | None = None
    url: str | None = None


class PaperEntry(_Strict):
    title: str | None = None
    authors: str | None = None
    doi: str | None = None
    pubmed_id: str | None = None
    publication_date: str | None = None
    url: str | None = None


class GenePage(_Strict):
    symbol: str = Field(min_length=1)
    title: str | None = None
    name: str | None = None
    species: str | None = None
    gene_id: str | None = None
    ncbi_id: str | None = None
    cgnc_id: str | None = None
    gene_type: str | None = None
    gene: str | None = None
    aliases: list[str] | None = Field(None, max_length=MAX_LIST)
    forward_primer: str | None = None
    reverse_primer: str | None = None
    template_length: str | None = None
    external_ids: dict[str, str | None] | None = None
    sources: list[SourceEntry] | None = Field(None, max_length=MAX_LIST)
    papers: list[PaperEntry] | None = Field(None, max_length=MAX_LIST)
    images: list[ImageEntry] | None = Field(None, max_length=MAX_LIST)
    orthologs: list[OrthologEntry] | None = Field(None, max_length=MAX_LIST)
    draft: bool | None = None
    date: dt.date | dt.datetime | str | None = None

    @field_validator("symbol")
    @classmethod
    def _symbol_not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("symbol is blank")
        return value

    @field_validator("template_length")
    @classmethod
    def _template_length_is_count(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return value
        if not value.strip().isdigit():
            raise ValueError(f"template length {value!r} is not a whole number")
        if int(value) > 10_000_000:
            raise ValueError(f"template length {value} is implausibly large")
        return value


KNOWN_PAGE_KEYS = frozenset(GenePage.model_fields)
