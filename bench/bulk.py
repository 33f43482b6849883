"""The bulk floor: the flow's extract + transform, written as CSV for `neo4j-admin import`.

A benchmark, not a command: it measures how fast the graph could be written at all (CSV +
`neo4j-admin database import full`), the floor `chickgraph ingest` is compared with. It was
a second loader in `pipeline/`; bench/RESULTS.md ("Bulk or flow") has the crossover: 42 s
against the flow's 17-25 s at 1x, and by its stage timings ~2.4x the flow at 5x and 25x
(CSV generation alone costs more per page than the flow's whole load), so no user is
offered it.

For a first load into an EMPTY database of the project's own local server only. The pages go
through the pipeline's own `process_chunk` (same process pool, same chunks) and
`rows.merge_rows` / `rows.vocabulary_rows`; `GraphBuilder` then applies, in memory and in the
flow's order, exactly what each Cypher load statement does with those rows (MERGE ... ON
CREATE keeps the first value, SET n = props replaces it, MATCH drops a row whose end is
missing, where load/images and load/expressed_in refuse the chunk instead (`need`),
ORTHOLOG_OF accumulates `rows`, `gc` and `ortholog_ids` at the end). The result is
written as typed CSV files, the server is stopped, `neo4j-admin database import full`
replaces the database, the server is started again, the schema applied and an IngestRun
recorded. `tests/integration/test_bulk.py` proves the graph equals the flow's
(`graph_dump.dump`).

Two things CSV cannot say: an empty list and the list `[""]` (both are an empty field, which
the importer reads as "no property"). Entities with such properties are grouped by which
properties they are; they carry the property `_chickgraph_bulk_fix = <group>` (nodes also
the fixed label `ChickGraphBulkFix`), and two Cypher files (cypher/bulk/fix_*.cypher) set
the values from a parameter after the import and remove the markers (`FixGroups`).

What the bulk path shares with the flow (gene-key claims, the parse-ahead window, counts,
the IngestRun record) is `pipeline.ingest.core`; only the writer differs.
"""

from __future__ import annotations

import datetime as dt
import math
import shutil
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import ChickGraphError
from pipeline.extract.pages import discover, relative_id
from pipeline.ingest import core
from pipeline.ingest.chunks import (
    ChunkResult,
    chunked,
    fewer_gc_pauses,
    fingerprint,
    process_chunk,
    vocabularies,
)
from pipeline.ingest.chunks import worker_pool as _worker_pool
from pipeline.ingest.core import GraphState, IngestRun
from pipeline.ingest.summary import IngestSummary
from pipeline.load import cypher_files, db, lock, writer
from pipeline.load.params import timestamp
from pipeline.load.rows import CHUNK_STATEMENTS, ChunkRows, vocabulary_rows
from pipeline.servers import neo4j_server
from pipeline.settings import Settings

FIX_LABEL = "ChickGraphBulkFix"  # nodes whose [] / [""] are set after the import
FIX_PROP = "_chickgraph_bulk_fix"  # their fix group, on those nodes and on relationships
# Candidates for the array delimiter: C0 controls never occur in page values (YAML refuses
# them and transform rejects them); if an array element holds one, the next is tried.
ARRAY_DELIMITERS = ("\x1f", "\x1e", "\x1d", "\x1c", "\ufdd0", "\ufdd1")
META_KEY = "vocabulary"


class BulkError(ChickGraphError):
    """The bulk path cannot run here (database not empty, external server, import failed)."""


# --------------------------------------------------------------------------- CSV values


_SCALAR_KINDS: dict[type, str] = {str: "string", bool: "boolean", int: "long",
                                   float: "double", dt.date: "date"}


def csv_type(value: Any) -> str | None:
    """The neo4j-admin import type of a property value; None for [] and [""], which CSV
    cannot express (see module docstring). Raises BulkError for what Neo4j cannot store."""
    kind = type(value)
    found = _SCALAR_KINDS.get(kind)
    if found is not None:
        return found
    if kind is dt.datetime:
        return "localdatetime" if value.tzinfo is None else "datetime"
    if kind is list or kind is tuple:
        if not value or (len(value) == 1 and value[0] == ""):
            return None
        kinds = {csv_type(item) for item in value}
        if len(kinds) == 1:
            (item_kind,) = kinds
            if item_kind is not None and not item_kind.endswith("[]"):
                return f"{item_kind}[]"
        raise BulkError(f"a list of mixed or unsupported values cannot be stored: {value!r}")
    raise BulkError(f"a {kind.__name__} value cannot be stored as a property: {value!r}")


class DelimiterClash(Exception):
    """An array element contains the array delimiter: write again with another one."""


def quote(text: str) -> str:
    """RFC 4180: always quoted (so '' is an empty string, not a missing value), quotes doubled.
    Commas, newlines and the array delimiter need no escaping inside quotes."""
    return '"' + text.replace('"', '""') + '"'


def _scalar(value: Any, kind: str) -> str:
    if kind == "string":
        return value
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "long":
        return str(value)
    if kind == "double":
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    return value.isoformat()  # date, localdatetime, datetime


def format_value(value: Any, kind: str, delimiter: str) -> str:
    """One CSV field for a present value of the given import type."""
    if kind == "string":
        return '"' + value.replace('"', '""') + '"'
    if kind.endswith("[]"):
        item = kind[:-2]
        parts = [_scalar(v, item) for v in value]
        if item in ("string", "date", "localdatetime", "datetime"):
            for part in parts:
                if delimiter in part:
                    raise DelimiterClash(part)
        return quote(delimiter.join(parts))
    return _scalar(value, kind)


def encode(props: dict[str, Any] | None, delimiter: str
           ) -> tuple[dict[str, tuple[str, str]], tuple[str, ...], tuple[str, ...]]:
    """Property map -> {name: (import type, CSV field)}, the names whose value is [] and
    those whose value is [""] (CSV cannot carry either). None values are absent (Cypher's
    SET n = map drops them)."""
    typed: dict[str, tuple[str, str]] = {}
    if not props:
        return typed, (), ()
    empty: list[str] = []
    blank: list[str] = []
    for name, value in props.items():
        if type(value) is str:
            typed[name] = ("string", '"' + value.replace('"', '""') + '"')
            continue
        if value is None:
            continue
        kind = csv_type(value)
        if kind is None:
            (empty if len(value) == 0 else blank).append(name)
        else:
            typed[name] = (kind, format_value(value, kind, delimiter))
    return typed, tuple(empty), tuple(blank)


@dataclass
class FixGroups:
    """Entities whose [] / [""] properties are set by Cypher after the import, grouped by
    (kind, label or type, names set to [], names set to [""]) -> group number."""

    groups: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], int] = field(
        default_factory=dict)
    counts: dict[int, int] = field(default_factory=lambda: defaultdict(int))

    def number(self, kind: str, name: str, empty: tuple[str, ...],
               blank: tuple[str, ...]) -> int:
        key = (kind, name, empty, blank)
        found = self.groups.get(key)
        if found is None:
            found = self.groups[key] = len(self.groups)
        self.counts[found] += 1
        return found

    def parameters(self) -> list[dict[str, list[str]]]:
        """`$fixes` of cypher/bulk/fix_*.cypher: for each group number (the list index),
        the properties to set, each to [] or [""]."""
        fixes: list[dict[str, list[str]]] = [{} for _ in self.groups]
        for (_, _, empty, blank), number in self.groups.items():
            fixes[number] = {name: [] for name in empty} | {name: [""] for name in blank}
        return fixes

    @property
    def entities(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class CsvFile:
    path: Path
    kind: str  # "nodes" | "relationships"
    name: str  # label (with extra labels, `A:B`) or relationship type
    rows: int
    multiline: bool

    def argument(self) -> str:
        return f"--{self.kind}={self.name}={self.path}"


_ABSENT = ("", "")


def write_table(
    folder: Path, kind: str, name: str, rows: Iterable[tuple[Any, ...]], delimiter: str,
    fixes: FixGroups | None = None,
) -> list[CsvFile]:
    """Write the rows of one label (`(id, props)`) or relationship type
    (`(start, end, props)`) as CSV files with typed headers.

    A property that has two types in one label (a `date` string on one page, a date on
    another) cannot share a column: rows are split into files by the types of such
    properties, and, for nodes, by whether they need a fix-up (an extra label). Raises
    DelimiterClash when an array element contains `delimiter`.
    """
    nodes = kind == "nodes"
    fixes = fixes if fixes is not None else FixGroups()
    prepared = []
    types: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        typed, empty, blank = encode(row[-1], delimiter)
        fixed = bool(empty or blank)
        if fixed:
            typed[FIX_PROP] = ("long", str(fixes.number(kind, name, empty, blank)))
        for prop, (prop_kind, _) in typed.items():
            types[prop].add(prop_kind)
        prepared.append((row[:-1], typed, fixed and nodes))
    conflicting = sorted(p for p, kinds in types.items() if len(kinds) > 1)
    groups: dict[tuple[Any, ...], list[tuple[Any, ...]]] = defaultdict(list)
    for ends, typed, marked in prepared:
        signature = tuple((p, typed[p][0]) for p in conflicting if p in typed)
        groups[(marked, signature)].append((ends, typed))
    files = []
    safe = "".join(c if c.isalnum() else "_" for c in name)
    for index, ((marked, _), members) in enumerate(sorted(groups.items(), key=lambda kv: kv[0])):
        columns: dict[str, str] = {}
        for _, typed in members:
            for prop, (prop_kind, _) in typed.items():
                columns.setdefault(prop, prop_kind)
        names = sorted(columns)
        header = [":ID"] if nodes else [":START_ID", ":END_ID"]
        header += [f"{prop}:{columns[prop]}" for prop in names]
        path = folder / f"{kind}-{safe}-{index}.csv"
        lines = [",".join(header)]
        for ends, typed in members:
            fields = [str(e) for e in ends]
            fields += [typed.get(prop, _ABSENT)[1] for prop in names]
            lines.append(",".join(fields))
        text = "\n".join(lines) + "\n"
        path.write_text(text, encoding="utf-8", newline="")
        multiline = text.count("\n") != len(lines) or "\r" in text
        label = f"{name}:{FIX_LABEL}" if marked else name
        files.append(CsvFile(path, kind, label, len(members), multiline))
    return files


# --------------------------------------------------------------------------- the graph


def _clean(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


@dataclass
class GraphBuilder:
    """The graph the flow's load statements build from the same rows, in memory."""

    next_id: int = 0
    nodes: dict[str, dict[str, list[Any]]] = field(default_factory=lambda: defaultdict(dict))
    created: dict[str, list[tuple[int, int, dict[str, Any] | None]]] = field(
        default_factory=lambda: defaultdict(list))
    merged: dict[str, dict[tuple[int, int], dict[str, Any] | None]] = field(
        default_factory=lambda: defaultdict(dict))
    deleted: set[int] = field(default_factory=set)

    # -- primitives, each one Cypher clause

    def _new(self, label: str, key: str, props: dict[str, Any]) -> list[Any]:
        node = [self.next_id, props]
        self.next_id += 1
        self.nodes[label][key] = node
        return node

    def get(self, label: str, key: str) -> int | None:
        node = self.nodes[label].get(key)
        return None if node is None else node[0]

    def need(self, label: str, key: str) -> int:
        """A node load/images or load/expressed_in names by position: a key that found
        nothing fails their CREATE (the whole chunk), never drops the row."""
        node = self.get(label, key)
        if node is None:
            raise ValueError(f"no (:{label} {{key: {key!r}}}) for a row that names it")
        return node

    def merge_on_create(self, label: str, key: str, props: dict[str, Any]) -> int:
        """MERGE (n:Label {key}) ON CREATE SET n = props."""
        node = self.nodes[label].get(key)
        if node is None:
            node = self._new(label, key, _clean(props))
        return node[0]

    def merge_set(self, label: str, key: str, props: dict[str, Any]) -> int:
        """MERGE (n:Label {key}) SET n = props."""
        node = self.nodes[label].get(key)
        if node is None:
            return self._new(label, key, _clean(props))[0]
        node[1] = _clean(props)
        return node[0]

    def create_node(self, label: str, key: str, props: dict[str, Any]) -> int:
        return self._new(label, key, _clean(props))[0]

    def create_rel(self, rel_type: str, start: int, end: int,
                   props: dict[str, Any] | None = None) -> None:
        self.created[rel_type].append((start, end, _clean(props) if props else None))

    def merge_rel(self, rel_type: str, start: int, end: int) -> dict[str, Any]:
        """MERGE (a)-[r:TYPE]->(b); returns the relationship's (mutable) properties."""
        props = self.merged[rel_type].get((start, end))
        if props is None:
            props = self.merged[rel_type][(start, end)] = {}
        return props

    # -- the vocabulary step of prepare_database (load.write_vocabulary on an empty graph)

    def vocabulary(self, rows: dict[str, list[dict[str, Any]]]) -> None:
        for row in rows["vocab_stages"]:
            stage = self.merge_set("DevelopmentalStage", row["props"]["key"], row["props"])
            if row["period"] is not None:
                period = self.merge_set("DevelopmentalPeriod", row["period"]["key"],
                                        row["period"])
                self.merge_rel("DURING", stage, period)
        for row in rows["vocab_next"]:
            a, b = (self.get("DevelopmentalStage", row["from"]),
                    self.get("DevelopmentalStage", row["to"]))
            if a is not None and b is not None:
                self.merge_rel("NEXT", a, b)
        for row in rows["vocab_structures"]:
            self.merge_set("AnatomicalStructure", row["props"]["key"], row["props"])
        for row in rows["vocab_part_of"]:
            a, b = (self.get("AnatomicalStructure", row["child"]),
                    self.get("AnatomicalStructure", row["parent"]))
            if a is not None and b is not None:
                self.merge_rel("PART_OF", a, b)

    # -- one chunk's transaction (load.write_chunk), statement by statement

    def chunk(self, chunk: ChunkRows) -> None:
        if chunk.delete_paths:
            raise BulkError("the bulk path only does first loads; nothing can be deleted")
        for name in CHUNK_STATEMENTS:
            rows = chunk.rows[name]
            if rows:
                getattr(self, f"_{name}")(rows)

    def _species(self, species: dict[str, Any]) -> int:
        return self.merge_on_create("Species", species["key"], species)

    def _stages_adhoc(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            stage = self.merge_on_create("DevelopmentalStage", row["key"], row["props"])
            if row["parent_key"] is not None:
                parent = self.get("DevelopmentalStage", row["parent_key"])
                if parent is not None:
                    self.merge_rel("SUBSTAGE_OF", stage, parent)

    def _structures_adhoc(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            self.merge_on_create("AnatomicalStructure", row["key"], row["props"])

    def _genes(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.merge_set("Gene", row["key"], row["props"])
            self.merge_rel("IN_SPECIES", gene, self._species(row["species"]))

    def _ortholog_rows(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.get("Gene", row["gene_key"])
            if gene is not None:
                self.create_rel("HAS_ORTHOLOG_ROW", gene,
                                self.create_node("OrthologRow", row["key"], row["props"]))

    def _ortholog_names(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene, orow = self.get("Gene", row["gene_key"]), self.get("OrthologRow",
                                                                      row["row_key"])
            if gene is None or orow is None:
                continue
            other = self.merge_on_create("Gene", row["gene"]["key"], row["gene"])
            self.merge_rel("IN_SPECIES", other, self._species(row["species"]))
            self.create_rel("NAMES", orow, other, row["edge"])
            edge = self.merge_rel("ORTHOLOG_OF", gene, other)
            edge["rows"] = [*edge.get("rows", []), row["row_position"]]

    def _images(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.need("Gene", row["gene_key"])
            stage = self.need("DevelopmentalStage", row["stage_key"])
            image = self.create_node("Image", row["props"]["key"], row["props"])
            self.create_rel("HAS_IMAGE", gene, image)
            self.create_rel("AT_STAGE", image, stage)
            if row["source_key"] is not None:
                key = row["source_key"]
                source = self.merge_on_create("Source", key, {"key": key, "name": key})
                self.create_rel("FROM_SOURCE", image, source)
            for show in row["shows"]:
                structure = self.need("AnatomicalStructure", show["structure_key"])
                self.create_rel("SHOWS", image, structure,
                                {"position": show["position"], "label": show["label"]})

    def _expressed_in(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.need("Gene", row["gene_key"])
            for edge in row["edges"]:
                structure = self.need("AnatomicalStructure", edge["structure_key"])
                self.create_rel("EXPRESSED_IN", gene, structure, {
                    "stage_key": edge["stage_key"], "site": edge["site"],
                    "image_count": edge["image_count"],
                    "stage_ordinal": edge["stage_ordinal"]})

    def _links(self, rows: list[dict[str, Any]], label: str, rel_type: str) -> None:
        for row in rows:
            gene = self.get("Gene", row["gene_key"])
            if gene is not None:
                node = self.merge_on_create(label, row["key"], row["node"])
                self.create_rel(rel_type, gene, node, row["edge"])

    def _page_sources(self, rows: list[dict[str, Any]]) -> None:
        self._links(rows, "Source", "DESCRIBED_BY")

    def _papers(self, rows: list[dict[str, Any]]) -> None:
        self._links(rows, "Publication", "CITES")

    def _pages(self, rows: list[dict[str, Any]]) -> None:
        for row in rows:
            gene = self.get("Gene", row["gene_key"])
            if gene is not None:
                page = self.merge_set("Page", row["props"]["path"], row["props"])
                self.merge_rel("DESCRIBES", page, gene)

    # -- the end of the run: load.collect_garbage, then the vocabulary fingerprint

    def _incoming(self, *rel_types: str) -> set[int]:
        ends: set[int] = set()
        for rel_type in rel_types:
            ends.update(e for s, e, _ in self.created.get(rel_type, ())
                        if s not in self.deleted)
            ends.update(e for s, e in self.merged.get(rel_type, {}) if s not in self.deleted)
        return ends

    def _live(self, label: str) -> Iterator[tuple[str, list[Any]]]:
        return ((k, n) for k, n in self.nodes[label].items() if n[0] not in self.deleted)

    def collect_garbage(self) -> None:
        """cypher/load/gc.cypher, statement by statement (nothing to do on a clean load)."""
        described = self._incoming("DESCRIBES")
        named = self._incoming("NAMES")
        self.deleted |= {n[0] for _, n in self._live("Gene")
                         if n[0] not in described and n[0] not in named}
        for label, rel_types in (("AnatomicalStructure", ("SHOWS",)),
                                 ("DevelopmentalStage", ("AT_STAGE",))):
            used = self._incoming(*rel_types)
            self.deleted |= {n[0] for _, n in self._live(label)
                             if n[1].get("curated") is False and n[0] not in used}
        for label, rel_types in (("Source", ("FROM_SOURCE", "DESCRIBED_BY")),
                                 ("Publication", ("CITES",)), ("Species", ("IN_SPECIES",))):
            used = self._incoming(*rel_types)
            self.deleted |= {n[0] for _, n in self._live(label) if n[0] not in used}
        self._ortholog_ids()

    def _ortholog_ids(self) -> None:
        """cypher/load/ortholog_ids.cypher: sorted distinct ids of the rows naming a gene."""
        described = self._incoming("DESCRIBES")
        symbol_of = {n[0]: n[1].get("symbol") for _, n in self._live("OrthologRow")}
        ensembl: dict[int, set[str]] = defaultdict(set)
        mods: dict[int, set[str]] = defaultdict(set)
        symbols: dict[int, set[str]] = defaultdict(set)
        for start, end, props in self.created.get("NAMES", ()):
            if start in self.deleted or end in self.deleted:
                continue
            if props and props.get("ensembl_id") is not None:
                ensembl[end].add(props["ensembl_id"])
            if props and props.get("mod_id") is not None:
                mods[end].add(props["mod_id"])
            if symbol_of.get(start) is not None:
                symbols[end].add(symbol_of[start])
        for _, node in self._live("Gene"):
            ident, props = node
            if ident in described:
                continue
            props["ensembl_ids"] = sorted(ensembl.get(ident, ()))
            props["mod_ids"] = sorted(mods.get(ident, ()))
            props["symbols"] = sorted(symbols.get(ident, ()))

    def set_fingerprint(self, value: str) -> None:
        """cypher/load/meta_set.cypher."""
        node = self.nodes["GraphMeta"].get(META_KEY)
        if node is None:
            self._new("GraphMeta", META_KEY, {"key": META_KEY, "fingerprint": value})
        else:
            node[1]["fingerprint"] = value

    # -- output

    def node_rows(self, label: str) -> Iterator[tuple[int, dict[str, Any]]]:
        return ((n[0], n[1]) for _, n in self._live(label))

    def rel_rows(self, rel_type: str) -> Iterator[tuple[int, int, dict[str, Any] | None]]:
        for start, end, props in self.created.get(rel_type, ()):
            if start not in self.deleted and end not in self.deleted:
                yield start, end, props
        for (start, end), props in self.merged.get(rel_type, {}).items():
            if start not in self.deleted and end not in self.deleted:
                yield start, end, props or None

    def labels(self) -> list[str]:
        return sorted(label for label, nodes in self.nodes.items() if nodes)

    def rel_types(self) -> list[str]:
        return sorted(set(self.created) | set(self.merged))

    def counts(self) -> tuple[int, int]:
        nodes = sum(1 for label in self.labels() for _ in self.node_rows(label))
        rels = sum(1 for t in self.rel_types() for _ in self.rel_rows(t))
        return nodes, rels


# --------------------------------------------------------------------------- run


@dataclass
class BulkRun:
    """What the extract/transform pass found: the graph and the run's page accounting."""

    run: IngestRun
    graph: GraphBuilder

    @property
    def summary(self) -> IngestSummary:
        return self.run.summary


def build(source: Path, settings: Settings, run_id: str | None = None) -> BulkRun:
    """Extract + transform every page into the graph: the flow's chunks, process pool,
    parse-ahead window and gene-key claims (`pipeline.ingest.core`), into an empty graph."""
    root = Path(source)
    paths = [relative_id(root, p) for p in discover(root)]
    summary = IngestSummary(run_id=run_id or str(uuid.uuid4()), source=str(root),
                            pages_seen=len(paths), full_reload=True)
    bulk = BulkRun(IngestRun(summary, GraphState.empty()), GraphBuilder())
    bulk.graph.vocabulary(vocabulary_rows(vocabularies()))
    workers, max_bytes = settings.ingest.workers, settings.ingest.max_page_bytes
    pool = _worker_pool(workers)
    cache = core.record_cache(settings)

    def parse(chunk: list[str]) -> Future[ChunkResult]:
        return pool.submit(process_chunk, str(root), chunk, {}, max_bytes, cache)

    with fewer_gc_pauses():
        for result in core.parse_ahead(chunked(paths, settings.ingest.chunk_size), parse,
                                       workers):
            rows = bulk.run.absorb(result)
            if rows.paths or rows.delete_paths:
                bulk.graph.chunk(rows)  # a first load: a delete here raises BulkError
        bulk.graph.collect_garbage()
    bulk.graph.set_fingerprint(fingerprint())
    return bulk


@dataclass(frozen=True)
class CsvSet:
    folder: Path
    files: tuple[CsvFile, ...]
    array_delimiter: str
    nodes: int
    relationships: int
    fixes: FixGroups

    def import_args(self, database: str, threads: int | None = None) -> list[str]:
        multiline = [str(f.path) for f in self.files if f.multiline]
        args = [
            "database", "import", "full", database,
            "--overwrite-destination=true", "--id-type=integer", "--bad-tolerance=0",
            "--skip-bad-relationships=false", "--skip-duplicate-nodes=false",
            f"--array-delimiter=U+{ord(self.array_delimiter):04X}",
            f"--report-file={self.folder / 'import.report'}",
        ]
        if multiline:
            args += ["--multiline-fields-format=v2", "--multiline-fields=" + ",".join(multiline)]
        if threads:
            args.append(f"--threads={threads}")
        return args + [f.argument() for f in self.files]


def write_csv(graph: GraphBuilder, folder: Path) -> CsvSet:
    """Every node label and relationship type as typed CSV files in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    tables: list[tuple[str, str, list[tuple[Any, ...]]]] = []
    for label in graph.labels():
        tables.append(("nodes", label, list(graph.node_rows(label))))
    for rel_type in graph.rel_types():
        tables.append(("relationships", rel_type, list(graph.rel_rows(rel_type))))
    for delimiter in ARRAY_DELIMITERS:
        fixes = FixGroups()
        try:
            files: list[CsvFile] = []
            for kind, name, rows in tables:
                files += write_table(folder, kind, name, rows, delimiter, fixes)
        except DelimiterClash:
            for stale in folder.glob("*.csv"):
                stale.unlink()
            continue
        nodes = sum(len(rows) for kind, _, rows in tables if kind == "nodes")
        return CsvSet(folder, tuple(files), delimiter, nodes,
                      sum(len(rows) for kind, _, rows in tables if kind != "nodes"), fixes)
    raise BulkError("no safe array delimiter: array values contain every candidate")


def import_csv(csv: CsvSet, settings: Settings, timings: dict[str, float] | None = None
               ) -> None:
    """Stop the local server, `neo4j-admin database import full`, start it again (the stop
    dropped this process's shared driver: the import rewrites the transaction history)."""
    timings = timings if timings is not None else {}
    started = time.perf_counter()
    neo4j_server.stop(settings)
    timings["server_stop_s"] = time.perf_counter() - started
    started = time.perf_counter()
    result = neo4j_server.admin(settings, *csv.import_args(settings.neo4j.database),
                                check=False)
    timings["import_s"] = time.perf_counter() - started
    if result.returncode != 0:
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
        raise BulkError(f"neo4j-admin database import failed (exit {result.returncode}); the "
                        f"database may be empty now; CSV files kept in {csv.folder}:\n{tail}")
    started = time.perf_counter()
    neo4j_server.start(settings, echo=lambda _m: None)
    timings["server_start_s"] = time.perf_counter() - started


def fix_up(driver: Any, settings: Settings, csv: CsvSet) -> int:
    """Set the [] and [""] properties CSV could not carry; returns the entities fixed.

    Auto-commit sessions: the statements batch with CALL { ... } IN TRANSACTIONS."""
    if not csv.fixes.entities:
        return 0
    params = {"fixes": csv.fixes.parameters()}
    with driver.session(database=settings.neo4j.database) as session:
        session.run(cypher_files.load("bulk/fix_nodes"), params).consume()
        session.run(cypher_files.load("bulk/fix_relationships"), params).consume()
    return csv.fixes.entities


def _check_target(settings: Settings) -> None:
    if settings.neo4j.external:
        raise BulkError(
            f"bulk import writes the local server's store files; NEO4J_URI points to "
            f"{settings.neo4j.uri}: use `chickgraph ingest` for an external server")


def _require_empty(driver: Any, settings: Settings) -> None:
    rows = db.run_read(driver, settings,
                       "MATCH (n) WHERE NOT n:IngestLock RETURN count(n) AS nodes")
    if rows[0]["nodes"]:
        raise BulkError(
            f"the database {settings.neo4j.database!r} is not empty ({rows[0]['nodes']} "
            "nodes): bulk import replaces the whole database and is only for a first load; "
            "use `chickgraph ingest` to sync")


def bulk_ingest(
    source: Path, settings: Settings, *, timings: dict[str, float] | None = None,
    csv_folder: Path | None = None, keep_csv: bool = False,
) -> IngestSummary:
    """First load of `source` into the EMPTY database of the local server, via
    `neo4j-admin database import full`: the same graph as `chickgraph ingest`.

    `timings` (if given) receives the seconds of each stage. CSV files go to `csv_folder`
    (default: a temporary folder, removed afterwards unless `keep_csv`).
    """
    timings = timings if timings is not None else {}
    _check_target(settings)
    started, started_at = time.perf_counter(), timestamp()
    run_id = str(uuid.uuid4())
    root = Path(source)
    if not root.is_dir():
        raise BulkError(f"source folder {root} does not exist or is not a folder")
    neo4j_server.start(settings, echo=lambda _m: None)
    driver = db.make_driver(settings)
    try:
        db.verify(driver, settings)
        lock.acquire(driver, settings, run_id, str(root))  # no ingest run is in progress
        _require_empty(driver, settings)
    finally:
        driver.close()

    mark = time.perf_counter()
    run = build(root, settings, run_id)
    timings["extract_transform_s"] = time.perf_counter() - mark
    folder = Path(csv_folder) if csv_folder else Path(tempfile.mkdtemp(prefix="chickgraph-bulk-"))
    try:
        mark = time.perf_counter()
        csv = write_csv(run.graph, folder)
        timings["csv_write_s"] = time.perf_counter() - mark
        import_csv(csv, settings, timings)
    except BaseException:
        keep_csv = True
        raise
    finally:
        if not keep_csv:
            shutil.rmtree(folder, ignore_errors=True)

    driver = db.make_driver(settings)
    try:
        db.verify(driver, settings)
        mark = time.perf_counter()
        db.apply_schema(driver, settings)
        timings["schema_s"] = time.perf_counter() - mark
        lock.acquire(driver, settings, run_id, str(root))
        mark = time.perf_counter()
        fix_up(driver, settings, csv)
        writer.derive_phenotypes(driver, settings)  # derived in Cypher, as the flow does
        writer.derive_sites(driver, settings)
        timings["fixup_s"] = time.perf_counter() - mark
        summary = core.count_graph(driver, settings, run.summary)
        summary.seconds = round(time.perf_counter() - started, 3)
        core.record_ingest_run(driver, settings, summary, started_at, loader="bulk")
        lock.release(driver, settings, run_id)
    finally:
        driver.close()
    timings["total_s"] = time.perf_counter() - started
    return summary
