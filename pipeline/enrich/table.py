"""The enrichment table (`config/enrichment.yaml`): one entry per annotation database.

An entry is data: the package that ships the database, the file inside it, the taxon whose
ortholog genes it annotates and one SQL statement per annotated field. Adding another
species' Bioconductor package is adding an entry, not code.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from pipeline.errors import EnrichmentError
from pipeline.transform.species import resolve_species
from pipeline.yamlfile import read_mapping

# The annotated fields, in the order they are written; each becomes `ann_<field>` on a Gene.
SCALAR_FIELDS = ("symbol", "name")
LIST_FIELDS = ("aliases", "ensembl_ids", "omim_ids")
FIELDS = SCALAR_FIELDS + LIST_FIELDS


class Database(BaseModel):
    """One annotation database; every statement returns (NCBI gene id, value) rows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = ""  # the entry's name in the table (org.Hs.eg.db), filled in by the loader
    species: str
    taxon_id: int
    debian_package: str = Field(pattern=r"^[a-z0-9][a-z0-9.+-]+$")
    file: str  # path of the SQLite file inside the package
    taxon_check: str | None = None  # SQL: one value, must equal taxon_id
    source_date: str  # SQL: one value, the date of the data the database was built from
    source_name: str | None = None
    symbol: str
    name: str
    aliases: str | None = None
    ensembl_ids: str | None = None
    omim_ids: str | None = None

    @field_validator("file")
    @classmethod
    def _file_is_relative(cls, file: str) -> str:
        if Path(file).is_absolute() or ".." in Path(file).parts:
            raise ValueError("must be a relative path inside the package")
        return file

    @property
    def file_name(self) -> str:
        return Path(self.file).name

    def statement(self, field: str) -> str | None:
        return getattr(self, field)


class Table(BaseModel):
    model_config = ConfigDict(frozen=True)

    databases: tuple[Database, ...]

    def find(self, name: str) -> Database:
        """A database by its key (org.Hs.eg.db) or its species (human, 9606, Homo sapiens)."""
        for database in self.databases:
            if name.casefold() in (database.key.casefold(), database.species.casefold()):
                return database
        species = resolve_species(name)
        for database in self.databases:
            if species is not None and species.taxon_id == database.taxon_id:
                return database
        known = ", ".join(f"{d.species} ({d.key})" for d in self.databases) or "none"
        raise EnrichmentError(f"no enrichment database for {name!r}; known: {known}")

    def by_key(self, key: str) -> Database | None:
        return next((d for d in self.databases if d.key == key), None)


def load_table(path: Path) -> Table:
    """Read and check the table; errors name the file and the field."""
    data = read_mapping(path, what="enrichment table", error=EnrichmentError,
                        shape="a mapping of database names")
    databases = []
    for key, entry in data.items():
        if not isinstance(entry, dict):
            raise EnrichmentError(f"{path}: {key}: must be a mapping")
        try:
            databases.append(Database.model_validate({**entry, "key": str(key)}))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "entry"
            raise EnrichmentError(f"{path}: {key}.{field}: {first['msg']}") from exc
    taxa = [d.taxon_id for d in databases]
    for taxon in taxa:
        if taxa.count(taxon) > 1:
            clash = [d.key for d in databases if d.taxon_id == taxon]
            raise EnrichmentError(f"{path}: {clash[1]}.taxon_id: {taxon} is already annotated "
                                  f"by {clash[0]} (one database per species)")
    return Table(databases=tuple(databases))
