"""Transform: raw page -> validated, normalised records. Pure functions; no Neo4j here.

What the corpus needs, in one place: keys with non-breaking spaces, comma-joined id lists,
empty strings and nulls, species names, stage labels and location strings. Everything the
page says is kept in a form from which `export` can rebuild the front matter exactly.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from pydantic import ValidationError

from pipeline.extract.pages import PageIssue, RawPage
from pipeline.transform.page_model import MAX_TEXT, validate_page
from pipeline.transform.phenotypes import structured as phenotypes_reading
from pipeline.transform.species import CHICKEN, Species, resolve_species
from pipeline.transform.vocab.anatomy import AnatomyResolution, AnatomyVocabulary, split_location
from pipeline.transform.vocab.stages import StageResolution, StageTable

NBSP = "\u00a0"

# Top-level keys stored as Gene properties verbatim (strings, bools, dates, lists of strings).
GENE_SCALARS = (
    "symbol", "title", "name", "species", "gene_id", "ncbi_id", "cgnc_id", "gene_type",
    "gene", "aliases", "forward_primer", "reverse_primer", "draft", "date",
)
STRUCTURED_KEYS = frozenset(
    {"template_length", "external_ids", "sources", "papers", "images", "orthologs"}
)


# Records made per page (~47k images, ~87k expression edges, ~20k ortholog names in the 1x
# corpus) are plain slotted dataclasses, not frozen ones: a frozen dataclass's __init__ sets
# each field through object.__setattr__, 3.4x the cost of a plain one here, which was a fifth
# of `to_record`. Nothing changes a record once built; records shared between pages
# (ShowsRecord, memoised per location string; Species) stay frozen.
@dataclass(slots=True)
class GeneRef:
    """A gene named by an ortholog row: one per row; the Gene node it names is shared between
    pages, keyed by its identity."""

    key: str
    species: Species
    ncbi_id: str | None = None
    ensembl_id: str | None = None
    mod_id: str | None = None
    symbol: str | None = None

    def identity_props(self) -> dict[str, Any]:
        props: dict[str, Any] = {"key": self.key, "taxon_id": self.species.taxon_id,
                                 "species_key": self.species.key}
        for name in ("ncbi_id", "ensembl_id", "mod_id", "symbol"):
            value = getattr(self, name)
            if value is not None:
                props[name] = value
        return props


@dataclass(slots=True)
class OrthologName:
    """One gene named by a row, with the ids the row pairs with it (when unambiguous)."""

    gene: GeneRef
    ensembl_id: str | None
    mod_id: str | None
    phenotypes: str | None


@dataclass(slots=True)
class OrthologRowRecord:
    key: str
    position: int
    props: dict[str, Any]
    species: Species | None
    names: tuple[OrthologName, ...]


@dataclass(frozen=True, slots=True)
class ShowsRecord:
    structure_key: str
    structure_name: str
    kind: str
    position: int
    label: str


@dataclass(slots=True)
class ImageRecord:
    key: str
    position: int
    props: dict[str, Any]
    stage_key: str
    stage_ordinal: float | None
    source_name: str | None
    shows: tuple[ShowsRecord, ...]
    stage_node: dict[str, Any] | None  # props of an uncurated stage node (sub-stage, bucket)


def site_key(structure_key: str, stage_key: str) -> str:
    """One (structure, stage) pair as one indexed value of its EXPRESSED_IN edges.

    "Which genes share this gene's pairs" is then one index seek per pair, not a scan of every
    edge at the pair's stage (or of every edge into the structure), which is what made
    `coexpressed` slow on dense hubs. Curated structure keys are slugs (no '@'), so the key
    splits back at its first '@'.
    """
    return f"{structure_key} @ {stage_key}"


@dataclass(slots=True)
class ExpressionRecord:
    structure_key: str
    stage_key: str
    stage_ordinal: float | None
    image_count: int

    @property
    def site(self) -> str:
        return site_key(self.structure_key, self.stage_key)


@dataclass(slots=True)
class LinkRecord:
    """A page source or a paper: a shared node plus what this page says about it."""

    key: str
    position: int
    node_props: dict[str, Any]
    edge_props: dict[str, Any]


@dataclass(slots=True)
class PageRecord:
    """Everything one page contributes to the graph, ready to load."""

    path: str
    sha256: str
    gene_key: str
    symbol: str
    species: Species
    page_props: dict[str, Any]
    gene_props: dict[str, Any]
    orthologs: tuple[OrthologRowRecord, ...]
    images: tuple[ImageRecord, ...]
    expression: tuple[ExpressionRecord, ...]
    sources: tuple[LinkRecord, ...]
    papers: tuple[LinkRecord, ...]
    warnings: tuple[PageIssue, ...] = field(default=())


@dataclass(frozen=True)
class Vocabularies:
    """The curated vocabularies, with resolutions memoised: a corpus has ~70 stage labels
    and ~160 location terms but ~47,000 and ~124,000 occurrences of them."""

    stages: StageTable
    anatomy: AnatomyVocabulary
    _stage_memo: dict[str | None, StageResolution] = field(default_factory=dict, repr=False)
    _term_memo: dict[str, AnatomyResolution] = field(default_factory=dict, repr=False)
    # location string -> what it shows: ~47,000 images, far fewer distinct location strings
    _shows_memo: dict[Any, tuple[ShowsRecord, ...]] = field(default_factory=dict, repr=False)

    def stage(self, label: str | None) -> StageResolution:
        found = self._stage_memo.get(label)
        if found is None:
            found = self._stage_memo[label] = self.stages.resolve(label)
        return found

    def term(self, label: str) -> AnatomyResolution:
        found = self._term_memo.get(label)
        if found is None:
            found = self._term_memo[label] = self.anatomy.resolve(label)
        return found

    def shows(self, location: Any) -> tuple[ShowsRecord, ...]:
        """The terms an image's location string names, in order, repeats kept (immutable
        records: one tuple shared by every image with the same string)."""
        found = self._shows_memo.get(location)
        if found is None:
            found = tuple(ShowsRecord(res.key, res.name, res.kind, position, term)
                          for position, term in enumerate(split_location(location))
                          for res in (self.term(term),))
            if len(self._shows_memo) > 100_000:
                self._shows_memo.clear()
            self._shows_memo[location] = found
        return found


# --------------------------------------------------------------------------- normalising


def normalise_key(key: Any) -> str:
    """Keys with non-breaking spaces (`Biological\u00a0Process`) become plain spaces."""
    return " ".join(str(key).replace(NBSP, " ").split())


def normalise_keys(value: Any) -> Any:
    """Apply `normalise_key` to every mapping key, recursively; lists keep their order."""
    if isinstance(value, dict):
        return {normalise_key(k): normalise_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise_keys(v) for v in value]
    return value


# C0 controls except tab/newline/carriage return, and DEL. C1 controls (U+0080-U+009F) are
# kept: the real corpus has them as mis-decoded Windows-1252 dashes ("1999\x962012") in
# 36 pages, and dropping those pages would lose real data.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PLAIN = (bool, int, float, dt.date, dt.datetime)


class Rejected(ValueError):
    """A value the graph must not receive; carries the field path for the report."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# A field path as a linked list, (parent, part): rendered only when a value is rejected, since
# formatting a path string for each of ~500k values cost a fifth of validation.
_Where = tuple[Any, object] | None


def _render(where: _Where) -> str:
    parts: list[str] = []
    while where is not None:
        where, part = where
        parts.append(str(part))
    return ".".join(reversed(parts))


def checked(value: Any, scan: bool = True, where: _Where = None) -> Any:
    """Normalise keys and check every value, at any depth, in one walk.

    Rejects control characters, over-long text, keys that are not text or that collide once
    normalised, and YAML types a graph cannot hold (sets, binary): each with its field path.
    Text values inside mappings and lists (nearly all values) are checked inline: a call per
    value was most of this walk's cost.
    """
    kind = type(value)
    if kind is str:
        if len(value) > MAX_TEXT:
            raise Rejected(_render(where),
                           f"value is {len(value)} characters long (limit {MAX_TEXT})")
        if scan and _CONTROL.search(value):
            raise Rejected(_render(where), "contains control characters")
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        names = _KEY_NAMES
        for key, item in value.items():
            name = names.get(key)  # the cache inline: a call per key was a fifth of the walk
            if name is None:
                name = _key_name(key, where)
            if name in out:
                raise Rejected(_render((where, name)),
                               "two keys differ only by spaces/non-breaking spaces")
            if type(item) is str and len(item) <= MAX_TEXT and not (
                    scan and _CONTROL.search(item)):
                out[name] = item
            else:
                out[name] = checked(item, scan, (where, name))
        return out
    if kind is list:
        return [item if type(item) is str and len(item) <= MAX_TEXT
                and not (scan and _CONTROL.search(item)) else checked(item, scan, (where, index))
                for index, item in enumerate(value)]
    if value is None or isinstance(value, _PLAIN):
        return value
    raise Rejected(_render(where), f"a YAML {type(value).__name__} value cannot be stored")


_KEY_NAMES: dict[str, str] = {}  # key as written -> normalised name (pages repeat ~60 keys)


def _key_name(key: Any, where: _Where) -> str:
    if type(key) is not str:
        raise Rejected(_render((where, key)), f"key {key!r} is a {type(key).__name__}, not text")
    name = _KEY_NAMES.get(key)
    if name is None:
        # interned: one object per name in every page's records, whichever parser read the
        # key (yaml-rs does not intern), so marshal writes each name once per page
        name = intern(normalise_key(key) if _NEEDS_FOLDING.search(key) else key)
        if len(_KEY_NAMES) < 10_000:
            _KEY_NAMES[key] = name
    return name


_NEEDS_FOLDING = re.compile(r"\u00a0|\s\s|^\s|\s$|[\t\n\r\f\v]")


def split_ids(value: str | None) -> list[str]:
    """`493434,444480` -> two ids; blanks and stray commas dropped, order kept."""
    if not value:
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def blank_to_none(value: str | None) -> str | None:
    return value if value is not None and value.strip() else None


def _present(entry: dict[str, Any], known: frozenset[str] | tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in entry.items() if k in known and v is not None}


def _entry_parts(entry: dict[str, Any], known: frozenset[str]
                 ) -> tuple[dict[str, Any], list[str], list[str], str | None]:
    """(`_present`, the keys it has, those whose value is null, `_extra_json`) of an entry in
    one go: absence vs null is a fact. Nearly every entry has only known keys and no null:
    then the first is a copy and the last None."""
    fields = list(entry)
    if None not in entry.values():  # values are text, numbers, dates, lists, maps: never == None
        if entry.keys() <= known:
            return dict(entry), fields, [], None
        return _present(entry, known), fields, [], _extra_json(entry, known)
    nulls = [k for k, v in entry.items() if v is None]
    return _present(entry, known), fields, nulls, _extra_json(entry, known)


def _extra_json(entry: dict[str, Any], known: frozenset[str] | tuple[str, ...]) -> str | None:
    extra = {k: v for k, v in entry.items() if k not in known}
    return json.dumps(extra, default=_json_default, sort_keys=False) if extra else None


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return {"__date__": value.isoformat()}
    raise TypeError(f"cannot store {type(value).__name__}")


# --------------------------------------------------------------------------- validation


def validate(raw: RawPage) -> tuple[dict[str, Any], list[PageIssue]] | PageIssue:
    """Check the page's shape; returns the key-normalised front matter or the first error."""
    try:
        normalised = checked(raw.front_matter, scan=raw.may_hide_controls)
        validate_page(normalised)
    except Rejected as exc:
        return PageIssue(raw.path, exc.field or "(front matter)", str(exc))
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"]) or "(front matter)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return PageIssue(raw.path, loc, _one_line(first["msg"]) + more)
    except RecursionError:
        return PageIssue(raw.path, "(front matter)", "nesting too deep")
    return normalised, []


def _one_line(message: str) -> str:
    return " ".join(message.split())[:300]


# --------------------------------------------------------------------------- records


def _is_number(text: str) -> bool:
    """ASCII digits only: `str.isdigit` also accepts superscripts such as '²'."""
    return text.isascii() and text.isdigit()


def gene_key(fm: dict[str, Any], species: Species) -> str:
    """Species-qualified NCBI gene id where the page has one, else species-qualified symbol.

    Every Gene key has the form `<species key>/<namespace>:<id>`: GEISHA's ortholog table
    lists a few NCBI ids under two species, and those stay two genes, as the source says.
    """
    for name in ("gene_id", "ncbi_id"):
        value = fm.get(name)
        if isinstance(value, str) and _is_number(value.strip()):
            return f"{species.key}/NCBIGene:{value.strip()}"
    return f"{species.key}/symbol:{fm['symbol'].strip()}"


def ortholog_gene(
    species: Species | None, ncbi: str | None, ensembl: str | None, mod: str | None,
    symbol: str | None,
) -> GeneRef:
    """The shared Gene node a row names: NCBI id first, then Ensembl, MOD id, symbol."""
    sp = species or Species("label:unknown", "unknown", None, None)
    if ncbi:
        return GeneRef(f"{sp.key}/NCBIGene:{ncbi}", sp, ncbi_id=ncbi)
    if ensembl:
        return GeneRef(f"{sp.key}/ENSEMBL:{ensembl}", sp, ensembl_id=ensembl)
    if mod:
        return GeneRef(f"{sp.key}/mod:{mod}", sp, mod_id=mod)
    if symbol:
        return GeneRef(f"{sp.key}/symbol:{symbol}", sp, symbol=symbol)
    raise ValueError("an ortholog gene needs an NCBI, Ensembl or MOD id, or a symbol")


def _paired(values: list[str], count: int, index: int) -> str | None:
    """Pair the i-th of several ids with the i-th gene only when the counts agree."""
    if len(values) == count:
        return values[index]
    return None


_ORTHOLOG_KNOWN = frozenset(("species", "entrez", "ensembl", "mod", "phenotypes", "symbol"))
_IMAGE_KNOWN = frozenset(("image_url", "caption", "location", "source", "source_label", "stage",
                          "thumbnail_url"))


def ortholog_rows(path: str, rows: list[Any] | None) -> tuple[OrthologRowRecord, ...]:
    known = _ORTHOLOG_KNOWN
    records = []
    for position, row in enumerate(rows or []):
        species = resolve_species(row.get("species"))
        entrez = split_ids(row.get("entrez"))
        ensembl = split_ids(row.get("ensembl"))
        mods = split_ids(row.get("mod"))
        phenotypes = row.get("phenotypes") or None
        symbol = blank_to_none(row.get("symbol"))
        symbol = symbol.strip() if symbol else None
        names: list[OrthologName] = []
        ids = entrez or ensembl or mods
        for index, ident in enumerate(ids):
            ref = ortholog_gene(
                species,
                ident if entrez else None,
                ident if not entrez and ensembl else None,
                ident if not entrez and not ensembl else None,
                None,
            )
            pheno = phenotypes if len(ids) == 1 else _paired(
                split_ids(phenotypes), len(ids), index)
            names.append(OrthologName(
                ref, _paired(ensembl, len(ids), index), _paired(mods, len(ids), index), pheno
            ))
        if not ids and symbol:
            ref = ortholog_gene(species, None, None, None, symbol)
            names.append(OrthologName(ref, None, None, phenotypes))
        props, fields, nulls, extra = _entry_parts(row, known)
        props |= {
            "key": f"{path}#ortholog-{position}", "position": position,
            "fields": fields, "null_fields": nulls,
        }
        if extra is not None:
            props["extra_json"] = extra
        # what the phenotypes text means for this species (raw text kept above)
        props |= phenotypes_reading(species.taxon_id if species else None, phenotypes)
        records.append(OrthologRowRecord(props["key"], position, props, species, tuple(names)))
    return tuple(records)


def image_records(
    path: str, images: list[Any] | None, vocab: Vocabularies
) -> tuple[ImageRecord, ...]:
    known = _IMAGE_KNOWN
    stage_of, shows_of = vocab.stage, vocab.shows
    records = []
    prefix = f"{path}#image-"
    for position, image in enumerate(images or []):
        stage = stage_of(image.get("stage"))
        props, fields, nulls, extra = _entry_parts(image, known)
        key = prefix + str(position)
        # item by item: a merged literal (`props |= {...}`) built a dict per image to drop it
        props["key"] = key
        props["position"] = position
        props["fields"] = fields
        props["null_fields"] = nulls
        props["stage_key"] = stage_key = stage.key
        if (ordinal := stage.ordinal) is not None:
            props["stage_ordinal"] = ordinal
        if extra is not None:
            props["extra_json"] = extra
        records.append(ImageRecord(
            key, position, props, stage_key, ordinal, blank_to_none(image.get("source")),
            shows_of(image.get("location")), adhoc_stage_node(stage),
        ))
    return tuple(records)


def adhoc_stage_node(stage: StageResolution) -> dict[str, Any] | None:
    """Props of a stage node that is not in the curated table; a function of the key only."""
    if stage.status == "resolved":
        return None
    props: dict[str, Any] = {"key": stage.key, "status": stage.status, "curated": False,
                             "name": stage.key.split(":")[-1] if stage.status == "unresolved"
                             else stage.key}
    for name in ("ordinal", "parent_key", "reason", "other_species"):
        value = getattr(stage, name)
        if value is not None:
            props[name] = value
    return props


def adhoc_structure_node(shows: ShowsRecord) -> dict[str, Any] | None:
    """Props of an anatomy node missing from the curated vocabulary (reported, kept)."""
    if shows.kind != "unmapped":
        return None
    return {"key": shows.structure_key, "name": shows.structure_key.split(":", 1)[-1],
            "kind": "unmapped", "curated": False}


def expression(images: tuple[ImageRecord, ...]) -> tuple[ExpressionRecord, ...]:
    """(structure, stage) -> how many of the gene's images show it: the EXPRESSED_IN edges."""
    counts: dict[tuple[str, str], int] = {}
    last: dict[tuple[str, str], int] = {}  # the last image counted per pair: once per image
    ordinals: dict[str, float | None] = {}
    for image in images:
        stage_key, position = image.stage_key, image.position
        ordinals[stage_key] = image.stage_ordinal
        for shows in image.shows:
            if shows.kind == "structure":
                pair = (shows.structure_key, stage_key)
                if last.get(pair) != position:
                    last[pair] = position
                    counts[pair] = counts.get(pair, 0) + 1
    return tuple(
        ExpressionRecord(structure, stage, ordinals[stage], count)
        for (structure, stage), count in sorted(counts.items())
    )


def link_records(
    entries: list[Any] | None, key_of: Any, known: tuple[str, ...], node_fields: tuple[str, ...]
) -> tuple[LinkRecord, ...]:
    """Page sources and papers: the shared node gets only its identity, the edge the rest."""
    records = []
    known_set = frozenset(known)
    for position, entry in enumerate(entries or []):
        edge, fields, nulls, extra = _entry_parts(entry, known_set)
        edge |= {"position": position, "fields": fields, "null_fields": nulls}
        if extra is not None:
            edge["extra_json"] = extra
        key = key_of(entry)
        node = {name: entry[name] for name in node_fields if entry.get(name)} | {"key": key}
        records.append(LinkRecord(key, position, node, edge))
    return tuple(records)


def _paper_key(paper: dict[str, Any]) -> str:
    if paper.get("pubmed_id"):
        return f"PMID:{paper['pubmed_id']}"
    if paper.get("doi"):
        return f"DOI:{paper['doi'].lower()}"
    return f"title:{' '.join(str(paper.get('title') or '').split()).casefold()}"


def gene_properties(fm: dict[str, Any], key: str, species: Species) -> dict[str, Any]:
    props: dict[str, Any] = {k: fm[k] for k in GENE_SCALARS if fm.get(k) is not None}
    props["key"] = key
    props["taxon_id"] = species.taxon_id
    props["species_key"] = species.key
    length = fm.get("template_length")
    if isinstance(length, str) and length.strip().isdigit():
        props["template_length"] = int(length)
        if str(int(length)) != length:
            props["template_length_raw"] = length
    elif length is not None:
        props["template_length_raw"] = length
    external = fm.get("external_ids")
    if isinstance(external, dict):
        props["external_id_labels"] = list(external)
        props["external_id_urls"] = ["" if v is None else v for v in external.values()]
        nulls = [k for k, v in external.items() if v is None]
        if nulls:
            props["external_id_nulls"] = nulls
    return props


def page_properties(raw: RawPage, fm: dict[str, Any], key: str) -> dict[str, Any]:
    known = set(GENE_SCALARS) | STRUCTURED_KEYS
    props: dict[str, Any] = {
        "path": raw.path, "sha256": raw.sha256, "gene_key": key, "symbol": fm["symbol"],
        "keys": list(fm), "null_keys": [k for k, v in fm.items() if v is None],
    }
    if (extra := _extra_json(fm, tuple(known))) is not None:
        props["extra_json"] = extra
    return props


def to_record(raw: RawPage, fm: dict[str, Any], vocab: Vocabularies) -> PageRecord:
    """A validated, key-normalised page -> everything it contributes to the graph."""
    species = resolve_species(fm.get("species")) or CHICKEN
    key = gene_key(fm, species)
    images = image_records(raw.path, fm.get("images"), vocab)
    sources = link_records(
        fm.get("sources"), lambda s: s["name"].strip(), ("name", "type", "url"), ("name",)
    )
    papers = link_records(
        fm.get("papers"), _paper_key,
        ("title", "authors", "doi", "pubmed_id", "publication_date", "url"),
        ("pubmed_id", "doi"),
    )
    warnings = []
    if species.taxon_id is None:
        warnings.append(PageIssue(raw.path, "species", f"unknown species {fm.get('species')!r}",
                                  "warning"))
    return PageRecord(
        path=raw.path, sha256=raw.sha256, gene_key=key, symbol=fm["symbol"], species=species,
        page_props=page_properties(raw, fm, key),
        gene_props=gene_properties(fm, key, species),
        orthologs=ortholog_rows(raw.path, fm.get("orthologs")),
        images=images, expression=expression(images),
        sources=sources, papers=papers, warnings=tuple(warnings),
    )


def transform(raw: RawPage, vocab: Vocabularies) -> PageRecord | PageIssue:
    """Validate then build the record; a failure is a PageIssue, never an exception."""
    checked = validate(raw)
    if isinstance(checked, PageIssue):
        return checked
    fm, _ = checked
    return to_record(raw, fm, vocab)
