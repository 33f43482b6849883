"""Named, parameterised Cypher queries (`cypher/queries/*.cypher`) and typed rows for notebooks.

Each query file starts with a header: the first comment lines say what it answers, and one
`// @param name: type [= default | (required)] description` line per parameter. Parameters
are converted before they reach Cypher: a `stage` in any accepted spelling (HH10, stage 10,
10, EGK XII) becomes its ordinal, a `structure` name or synonym its curated key, a `species`
name its NCBI taxon id. Queries listing the genes of a whole structure return at most 100 rows
unless given a larger `limit` (their first page: a structure can have over a thousand).

    from pipeline.queries import named
    rows = named.run("genes-in-tissue", structure="heart", from_stage="HH10", to_stage="HH20")
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pipeline.errors import ChickGraphError
from pipeline.load import cypher_files, db

if TYPE_CHECKING:  # the rest is imported where used: `chickgraph query` skips pydantic
    from neo4j import Driver
    from pydantic import BaseModel as Row  # the base of the row classes below

    from pipeline.settings import Settings

_PARAM = re.compile(
    r"^//\s*@param\s+(?P<name>\w+):\s*(?P<type>\w+)\s*"
    r"(?:(?P<required>\(required\))|=\s*(?P<default>\[[^\]]*\]|\S+))?\s*(?P<help>.*)$"
)
TYPES = ("string", "symbol", "int", "bool", "stage", "structure", "species", "species_list",
         "facet_kind", "mim_id")
FACET_KINDS = ("system", "pathway", "category")


class QueryError(ChickGraphError):
    """Unknown query or parameter, or a parameter value that cannot be converted."""


@dataclass(frozen=True)
class ParamSpec:
    name: str
    type: str
    required: bool
    default: Any
    help: str


@dataclass(frozen=True)
class QuerySpec:
    name: str
    description: str
    params: tuple[ParamSpec, ...]
    text: str

    def param(self, name: str) -> ParamSpec:
        for spec in self.params:
            if spec.name == name:
                return spec
        accepted = ", ".join(p.name for p in self.params)
        raise QueryError(f"query {self.name!r} has no parameter {name!r}; accepted: {accepted}")


def _default(raw: str | None, kind: str) -> Any:
    if raw is None or raw == "null":
        return None
    value = json.loads(raw) if kind in ("int", "bool", "species_list") else raw
    return value


def parse_header(name: str, text: str) -> QuerySpec:
    description: list[str] = []
    params: list[ParamSpec] = []
    for line in text.splitlines():
        if not line.startswith("//"):
            break
        match = _PARAM.match(line)
        if match:
            kind = match["type"]
            if kind not in TYPES:
                raise QueryError(f"{name}: parameter {match['name']}: unknown type {kind!r}")
            params.append(ParamSpec(match["name"], kind, bool(match["required"]),
                                    _default(match["default"], kind), match["help"].strip()))
        else:
            description.append(line.lstrip("/").strip())
    return QuerySpec(name, " ".join(description), tuple(params), text)


@cache
def _one(name: str) -> QuerySpec:
    return parse_header(name, cypher_files.load(f"queries/{name}"))


@cache
def catalogue() -> dict[str, QuerySpec]:
    """Every named query, by name (the file name without .cypher)."""
    return {path.stem: _one(path.stem) for path in cypher_files.available("queries")}


def get(name: str) -> QuerySpec:
    """The query `name`: its own file only (a command runs one query), unless the catalogue
    is read already or the name is not a query's (then the error lists them all)."""
    if catalogue.cache_info().currsize == 0 and "/" not in name:
        try:
            return _one(name)
        except (ValueError, FileNotFoundError):
            pass  # not a file name, or no such file: the catalogue's error below
    try:
        return catalogue()[name]
    except KeyError:
        known = ", ".join(sorted(catalogue()))
        raise QueryError(f"no query named {name!r}; known: {known}") from None


def convert(spec: ParamSpec, value: Any) -> Any:
    """A user's value (often a string from the command line) -> what the Cypher expects."""
    if value is None:
        return None
    try:
        match spec.type:
            case "string" | "symbol":
                return str(value)
            case "int":  # every int parameter is a count (a limit, a threshold of genes)
                try:
                    number = int(value)
                except ValueError:
                    raise ValueError(f"{value!r} is not a whole number") from None
                if number < 0:
                    raise ValueError(f"{value!r} is negative: it counts rows or genes")
                return number
            case "bool":
                if isinstance(value, bool):
                    return value
                text = str(value).strip().lower()
                if text not in ("true", "false", "yes", "no", "1", "0"):
                    raise ValueError(f"{value!r} is not true or false")
                return text in ("true", "yes", "1")
            case "stage":
                from pipeline.transform.vocab.stages import load_stage_table

                return load_stage_table().ordinal_of(str(value))
            case "structure":
                from pipeline.transform.vocab.anatomy import load_anatomy

                return load_anatomy().key_for(str(value))
            case "species":
                return _taxon(value)
            case "species_list":
                items = value if isinstance(value, list) else str(value).split(",")
                return [_taxon(item) for item in items if str(item).strip()]
            case "facet_kind":
                kind = str(value).strip().lower()
                if kind not in FACET_KINDS:
                    raise ValueError(f"{value!r} is not one of {', '.join(FACET_KINDS)}")
                return kind
            case "mim_id":
                match = re.fullmatch(r"(?:MIM:)?(\d+)", str(value).strip(), re.IGNORECASE)
                if match is None:
                    raise ValueError(f"{value!r} is not an OMIM id (MIM:613287 or 613287)")
                return match[1]
    except ValueError as exc:
        raise QueryError(f"parameter {spec.name} ({spec.type}): {exc}") from exc
    raise QueryError(f"parameter {spec.name}: unknown type {spec.type!r}")


def _taxon(value: Any) -> int:
    if isinstance(value, int):
        return value
    from pipeline.transform.species import resolve_species

    species = resolve_species(str(value))
    if species is None or species.taxon_id is None:
        raise ValueError(f"unknown species {value!r} (try human, mouse, Xenopus, zebrafish, "
                         "fruit fly, chicken or a taxon id)")
    return species.taxon_id


def bind(spec: QuerySpec, given: dict[str, Any]) -> dict[str, Any]:
    """Check and convert parameters; errors list what the query accepts."""
    for name in given:
        spec.param(name)
    params: dict[str, Any] = {}
    for param in spec.params:
        if param.name in given and given[param.name] is not None:
            params[param.name] = convert(param, given[param.name])
        elif param.required:
            raise QueryError(f"query {spec.name!r} needs --param {param.name}=... "
                             f"({param.type}: {param.help})")
        else:
            params[param.name] = convert(param, param.default)
    return params


# --------------------------------------------------------------------------- typed rows

# Pydantic models, defined on first use (`named.OrthologRow`, `run`): `chickgraph query`
# prints plain rows and does not pay for importing pydantic and building these classes.
ROW_CLASSES = ("Row", "GeneExpressionRow", "GenesInTissueRow", "OrthologRow",
               "OrthologGenesInTissueRow", "ChickExpressionRow", "CoexpressedRow",
               "StageAtlasRow", "EvidenceRow", "ConservedOrthologsRow", "OrthologConsistencyRow",
               "PublicationRow", "FacetGenesInTissueRow", "PhenotypeOrthologsRow")


def __getattr__(name: str) -> Any:
    if name == "ROW_TYPES" or name in ROW_CLASSES:
        return _rows()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _rows() -> dict[str, Any]:
    """The row classes by class name, and ROW_TYPES (query name -> class)."""
    from pydantic import BaseModel, ConfigDict, Field

    class Row(BaseModel):
        model_config = ConfigDict(frozen=True, extra="forbid")

    class GeneExpressionRow(Row):
        symbol: str
        structure_key: str
        structure: str
        stage: str
        stage_ordinal: float | None
        images: int

    class GenesInTissueRow(Row):
        symbol: str
        name: str | None
        images: int
        structures: list[str]
        stages: list[str]

    class OrthologRow(Row):
        symbol: str
        species: str
        taxon_id: int | None
        gene_key: str
        ortholog_symbol: str | None = None  # an enrichment's (chickgraph enrich); null otherwise
        ortholog_name: str | None = None
        ncbi_id: str | None
        ensembl_ids: list[str] | None
        mod_ids: list[str] | None
        symbols: list[str] | None

    class OrthologGenesInTissueRow(Row):
        gene_key: str
        symbol: str | None = None  # an enrichment's (chickgraph enrich); null otherwise
        name: str | None = None
        ncbi_id: str | None
        ensembl_ids: list[str] | None
        symbols: list[str] | None
        chick_genes: list[str]

    class ChickExpressionRow(Row):
        ortholog_key: str
        ortholog_symbol: str | None = None  # an enrichment's (chickgraph enrich); null otherwise
        ortholog_name: str | None = None
        chick_symbol: str
        structure: str
        stage: str
        stage_ordinal: float | None
        images: int

    class CoexpressedRow(Row):
        symbol: str
        shared_pairs: int

    class StageAtlasRow(Row):
        structure_key: str
        structure: str
        genes: int
        images: int

    class EvidenceRow(Row):
        position: int
        image_url: str
        thumbnail_url: str | None
        caption: str | None
        stage_label: str | None
        stage: str
        labels: list[str]
        source: str | None

    class ConservedOrthologsRow(Row):
        symbol: str
        name: str | None
        orthologs: list[str]
        # parallel to orthologs: an enrichment's, or null
        ortholog_symbols: list[str | None] = Field(default_factory=list)
        ortholog_names: list[str | None] = Field(default_factory=list)

    class OrthologConsistencyRow(Row):
        """A chick gene and an ortholog whose database symbol neither equals the chick symbol nor
        is one of the database's aliases of that gene (ignoring case), or that the database lacks.
        The orthology stays as the source has it: the row only points a curator at it."""

        chick_symbol: str
        chick_name: str | None
        ortholog_key: str
        ncbi_id: str | None
        ortholog_symbol: str | None = None  # an enrichment's (chickgraph enrich); null otherwise
        ortholog_name: str | None = None
        row_symbols: list[str] | None
        page: str

    class PublicationRow(Row):
        publication: str
        pubmed_id: str | None
        url: str | None
        title: str | None
        year: int | None
        citations: list[str] | None
        sources: list[str]
        images: int

    class FacetGenesInTissueRow(Row):
        symbol: str
        name: str | None
        images: int
        stages: list[str]
        facets: list[str]

    class PhenotypeOrthologsRow(Row):
        symbol: str
        images: int
        orthologs: list[str]
        phenotypes: list[str]


    row_types: dict[str, type[Row]] = {
        "publications": PublicationRow,
        "facet-genes-in-tissue": FacetGenesInTissueRow,
        "phenotype-orthologs": PhenotypeOrthologsRow,
        "gene-expression": GeneExpressionRow,
        "genes-in-tissue": GenesInTissueRow,
        "orthologs": OrthologRow,
        "ortholog-genes-in-tissue": OrthologGenesInTissueRow,
        "chick-expression-of": ChickExpressionRow,
        "coexpressed": CoexpressedRow,
        "stage-atlas": StageAtlasRow,
        "evidence": EvidenceRow,
        "conserved-orthologs": ConservedOrthologsRow,
        "ortholog-consistency": OrthologConsistencyRow,
    }
    classes: dict[str, Any] = {}
    for row_type in (Row, *row_types.values()):
        row_type.__qualname__ = row_type.__name__  # module-level names, as pickle finds them
        classes[row_type.__name__] = row_type
    return classes | {"ROW_TYPES": row_types}


def run_raw(name: str, settings: Settings | None = None, driver: Driver | None = None,
            **given: Any) -> list[dict[str, Any]]:
    """Run a named query (read transaction) and return plain dict rows.

    A chicken symbol that finds nothing is tried again as the page symbol it equals ignoring
    case (`Pou5f3` -> `POU5F3`); several such pages are an error naming them.
    """
    if settings is None:
        from pipeline.settings import get_settings

        settings = get_settings()
    spec = get(name)
    params = bind(spec, given)
    driver = driver or db.shared_driver(settings)
    rows = db.run_read(driver, settings, spec.text, params, memory_final=True)
    if rows:
        return rows
    from pipeline.queries.symbols import resolve_symbol

    retried = dict(params)
    for param in spec.params:
        if param.type == "symbol" and params.get(param.name) is not None:
            meant = resolve_symbol(driver, settings, params[param.name])
            if meant is not None:
                retried[param.name] = meant
    return rows if retried == params else db.run_read(driver, settings, spec.text, retried,
                                                       memory_final=True)


def run(name: str, settings: Settings | None = None, **given: Any) -> list[Row]:
    """Run a named query and return typed rows (pydantic models, one class per query)."""
    row_type = _rows()["ROW_TYPES"][get(name).name]
    return [row_type.model_validate(row) for row in run_raw(name, settings, **given)]
