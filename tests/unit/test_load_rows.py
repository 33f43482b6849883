"""Load, without Neo4j: the parameter rows a chunk's statements receive, and the vocabulary rows.

The Cypher matches rows to nodes by key, so the invariants that matter are referential: every
row that points at a gene, image, ortholog row or stage points at one written in the same
transaction (or at a curated vocabulary node).
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.extract.pages import RawPage, discover, read_page
from pipeline.load.rows import CHUNK_STATEMENTS, ChunkRows, chunk_rows, vocabulary_rows
from pipeline.transform.records import PageRecord, Vocabularies, transform
from pipeline.transform.vocab.anatomy import load_anatomy
from pipeline.transform.vocab.stages import load_stage_table

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "pages"


@pytest.fixture(scope="module")
def vocab() -> Vocabularies:
    return Vocabularies(load_stage_table(), load_anatomy())


def load_records(vocab: Vocabularies) -> list[PageRecord]:
    records = []
    for path in discover(FIXTURES):
        raw = read_page(FIXTURES, path, 5_000_000)
        assert isinstance(raw, RawPage), raw
        record = transform(raw, vocab)
        assert isinstance(record, PageRecord), record
        records.append(record)
    return records


@pytest.fixture(scope="module")
def records(vocab: Vocabularies) -> list[PageRecord]:
    return load_records(vocab)


@pytest.fixture(scope="module")
def chunk(records: list[PageRecord]) -> ChunkRows:
    return chunk_rows(records)


def keys(rows: list[dict[str, Any]], name: str = "key") -> list[Any]:
    return [row[name] for row in rows]


# ------------------------------------------------------------------ chunk_rows


def test_every_statement_has_a_row_list_and_paths_follow_the_records(
    chunk: ChunkRows, records: list[PageRecord]
) -> None:
    assert set(chunk.rows) == set(CHUNK_STATEMENTS)
    assert chunk.paths == [r.path for r in records]
    assert len(records) >= 5
    assert keys(chunk.rows["genes"]) == [r.gene_key for r in records]
    assert keys(chunk.rows["pages"], "gene_key") == [r.gene_key for r in records]
    assert [row["props"]["path"] for row in chunk.rows["pages"]] == chunk.paths
    assert [row["props"]["sha256"] for row in chunk.rows["pages"]] == [r.sha256 for r in records]


def test_counts_match_the_records(chunk: ChunkRows, records: list[PageRecord]) -> None:
    assert chunk.count("images") == sum(len(r.images) for r in records)
    assert chunk.count("ortholog_rows") == sum(len(r.orthologs) for r in records)
    assert chunk.count("ortholog_names") == sum(
        len(row.names) for r in records for row in r.orthologs)
    assert sum(len(row["shows"]) for row in chunk.rows["images"]) == sum(
        len(i.shows) for r in records for i in r.images)
    assert chunk.count("expressed_in") == len([r for r in records if r.expression])
    assert sum(len(row["edges"]) for row in chunk.rows["expressed_in"]) == sum(
        len(r.expression) for r in records)
    assert chunk.count("page_sources") == sum(len(r.sources) for r in records)
    assert chunk.count("papers") == sum(len(r.papers) for r in records)
    assert chunk.count("no-such-statement") == 0
    # the fixtures exercise every statement
    assert all(chunk.count(name) > 0 for name in CHUNK_STATEMENTS), {
        name: chunk.count(name) for name in CHUNK_STATEMENTS}


def test_rows_only_reference_keys_written_in_the_same_chunk(
    chunk: ChunkRows, vocab: Vocabularies
) -> None:
    rows = chunk.rows
    genes = set(keys(rows["genes"]))
    images = keys(rows["images"])
    ortholog_rows = keys(rows["ortholog_rows"])
    assert len(set(images)) == len(images)
    assert len(set(ortholog_rows)) == len(ortholog_rows)
    for name in ("images", "ortholog_rows", "ortholog_names", "expressed_in", "page_sources",
                 "papers", "pages"):
        assert set(keys(rows[name], "gene_key")) <= genes, name
    assert set(keys(rows["ortholog_names"], "row_key")) <= set(ortholog_rows)
    assert all(row["props"]["key"] == row["key"] for row in rows["images"])
    edges = [edge for row in rows["expressed_in"] for edge in row["edges"]]
    shows = [show for row in rows["images"] for show in row["shows"]]
    # stages: curated ones come from the vocabulary, the rest are written by this chunk
    adhoc = set(keys(rows["stages_adhoc"]))
    for row in rows["images"] + edges:
        assert vocab.stages.get(row["stage_key"]) is not None or row["stage_key"] in adhoc
    # structures: curated ones come from the vocabulary, unmapped ones from this chunk
    adhoc_structures = set(keys(rows["structures_adhoc"]))
    curated = {term.key for term in vocab.anatomy.terms}
    for row in shows + edges:
        assert row["structure_key"] in curated | adhoc_structures


def test_ad_hoc_stage_rows_only_for_uncurated_stages(
    chunk: ChunkRows, records: list[PageRecord], vocab: Vocabularies
) -> None:
    stage_rows = chunk.rows["stages_adhoc"]
    used = {i.stage_key for r in records for i in r.images}
    uncurated = {key for key in used if vocab.stages.get(key) is None}
    assert keys(stage_rows) == sorted(uncurated)
    assert uncurated >= {"HH8+", "unresolved:unknown:unknown", "unresolved:other_species:24 hpf"}
    for row in stage_rows:
        assert row["props"]["key"] == row["key"]
        assert row["props"]["curated"] is False
        assert row["parent_key"] == row["props"].get("parent_key")
        if row["parent_key"] is not None:
            assert vocab.stages.get(row["parent_key"]) is not None
    substage = next(row for row in stage_rows if row["key"] == "HH8+")
    assert substage["parent_key"] == "HH8"


def test_ad_hoc_structure_rows_only_for_unmapped_terms(
    chunk: ChunkRows, records: list[PageRecord]
) -> None:
    unmapped = {s.structure_key for r in records for i in r.images for s in i.shows
                if s.kind == "unmapped"}
    assert unmapped == {"unmapped:glorpus unmappable"}
    assert keys(chunk.rows["structures_adhoc"]) == sorted(unmapped)
    (row,) = chunk.rows["structures_adhoc"]
    assert row["props"] == {"key": "unmapped:glorpus unmappable", "name": "glorpus unmappable",
                            "kind": "unmapped", "curated": False}


def test_expressed_in_rows_name_only_structures(chunk: ChunkRows, vocab: Vocabularies) -> None:
    for row in chunk.rows["expressed_in"]:
        for edge in row["edges"]:
            term = vocab.anatomy.get(edge["structure_key"])
            assert term is not None and term.kind == "structure", edge
            assert edge["image_count"] >= 1
            # the site is the pair, and splits back into it (curated keys hold no '@')
            assert edge["site"] == f"{edge['structure_key']} @ {edge['stage_key']}"
            assert edge["site"].split(" @ ", 1) == [edge["structure_key"], edge["stage_key"]]


def test_image_sources_skip_images_without_a_source(
    chunk: ChunkRows, records: list[PageRecord]
) -> None:
    with_source = [i.key for r in records for i in r.images if i.source_name]
    assert [row["key"] for row in chunk.rows["images"] if row["source_key"]] == with_source
    assert all(row["source_key"] is None or row["source_key"].strip()
               for row in chunk.rows["images"])


def test_ortholog_name_rows_carry_gene_identity_and_species(chunk: ChunkRows) -> None:
    xenopus = [row for row in chunk.rows["ortholog_names"]
               if row["species"]["key"] == "NCBITaxon:8353"]
    assert [row["gene"]["ncbi_id"] for row in xenopus] == ["493434", "444480"]
    for row in chunk.rows["ortholog_names"]:
        assert row["gene"]["species_key"] == row["species"]["key"]
        assert row["gene"]["key"].startswith(row["species"]["key"] + "/")
        assert None not in row["edge"].values()
    paired = [row for row in chunk.rows["ortholog_names"] if row["edge"].get("mod_id")]
    assert {row["edge"]["mod_id"] for row in paired} >= {"MGI:1", "MGI:2"}


def _storable(value: Any) -> bool:
    """A Neo4j property value: a primitive, or a list of primitives of one type."""
    primitive = (str, bool, int, float, dt.date, dt.datetime)
    if isinstance(value, primitive):
        return True
    if isinstance(value, list):
        return all(isinstance(v, primitive) for v in value) and len(
            {type(v) for v in value}) <= 1
    return False


def test_node_and_edge_properties_are_storable(chunk: ChunkRows) -> None:
    checks = [("genes", "props"), ("ortholog_rows", "props"), ("images", "props"),
              ("pages", "props"), ("page_sources", "node"), ("page_sources", "edge"),
              ("papers", "node"), ("papers", "edge"), ("ortholog_names", "edge"),
              ("ortholog_names", "gene"), ("stages_adhoc", "props"),
              ("structures_adhoc", "props")]
    for statement, part in checks:
        for row in chunk.rows[statement]:
            for name, value in row[part].items():
                assert value is None or _storable(value), (statement, part, name, value)


def test_chunk_rows_are_deterministic(vocab: Vocabularies, chunk: ChunkRows) -> None:
    again = chunk_rows(load_records(vocab))
    assert again == chunk


def test_shared_node_rows_do_not_depend_on_record_order(records: list[PageRecord]) -> None:
    forward, backward = chunk_rows(records), chunk_rows(list(reversed(records)))
    assert forward.rows["stages_adhoc"] == backward.rows["stages_adhoc"]
    assert forward.rows["structures_adhoc"] == backward.rows["structures_adhoc"]
    assert keys(backward.rows["genes"]) == list(reversed(keys(forward.rows["genes"])))


def test_empty_chunk_has_empty_rows() -> None:
    empty = chunk_rows([])
    assert empty.paths == []
    assert empty.rows == {name: [] for name in CHUNK_STATEMENTS}


# ------------------------------------------------------------------ vocabulary_rows


@pytest.fixture(scope="module")
def vrows(vocab: Vocabularies) -> dict[str, list[dict[str, Any]]]:
    return vocabulary_rows(vocab)


def test_next_pairs_form_one_chain_from_egk_i_to_hh46(
    vrows: dict[str, list[dict[str, Any]]]
) -> None:
    pairs = vrows["vocab_next"]
    assert len(pairs) == 59
    assert pairs[0]["from"] == "EGK-I"
    assert pairs[-1]["to"] == "HH46"
    for before, after in itertools.pairwise(pairs):
        assert before["to"] == after["from"]
    chain = [pairs[0]["from"], *(p["to"] for p in pairs)]
    assert len(chain) == len(set(chain)) == 60
    assert chain.index("EGK-XIV") + 1 == chain.index("HH1")


def test_stage_rows_follow_the_table(
    vrows: dict[str, list[dict[str, Any]]], vocab: Vocabularies
) -> None:
    stages = vrows["vocab_stages"]
    assert [row["props"]["key"] for row in stages] == [s.key for s in vocab.stages.stages]
    ordinals = [row["props"]["ordinal"] for row in stages]
    assert ordinals == sorted(ordinals) and len(set(ordinals)) == len(ordinals)
    for row in stages:
        props = row["props"]
        assert props["curated"] is True and props["status"] == "resolved"
        assert "period" not in props
        assert None not in props.values()
        if row["period"] is not None:
            assert row["period"]["key"] and row["period"]["name"]


def test_every_part_of_parent_and_child_is_a_structure_row(
    vrows: dict[str, list[dict[str, Any]]], vocab: Vocabularies
) -> None:
    structure_keys = [row["props"]["key"] for row in vrows["vocab_structures"]]
    assert len(structure_keys) == len(set(structure_keys)) == len(vocab.anatomy.terms)
    assert vrows["vocab_part_of"], "the anatomy vocabulary has a part-of hierarchy"
    for edge in vrows["vocab_part_of"]:
        assert edge["parent"] in structure_keys, edge
        assert edge["child"] in structure_keys, edge
        assert edge["parent"] != edge["child"]
    pairs = [(e["child"], e["parent"]) for e in vrows["vocab_part_of"]]
    assert len(pairs) == len(set(pairs))
    assert ("extraembryonic-mesoderm", "mesoderm") in pairs


SEEDED = """
from tests.unit.test_load_rows import load_records
from pipeline.load.rows import chunk_rows, vocabulary_rows
from pipeline.transform.records import Vocabularies
from pipeline.transform.vocab.anatomy import load_anatomy
from pipeline.transform.vocab.stages import load_stage_table
vocab = Vocabularies(load_stage_table(), load_anatomy())
records = load_records(vocab)
print(repr(records)); print(repr(chunk_rows(records).rows)); print(repr(vocabulary_rows(vocab)))
"""


def test_records_and_rows_do_not_depend_on_the_hash_seed() -> None:
    """Two runs of the pipeline are two processes, each with its own string-hash seed: a set
    iterated into a list would order records, rows or the vocabulary's rows (which the
    vocabulary fingerprint is made from) differently from one run to the next. In one
    process the seed is fixed, so the comparison takes two, with other seeds."""
    def seeded(seed: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {
            "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", SEEDED], cwd=REPO, env=env,
                             capture_output=True, text=True, timeout=300, check=False)
        assert run.returncode == 0, run.stderr[-3000:]
        return run.stdout

    first = seeded("1")
    assert "PageRecord(" in first and "'vocab_part_of'" in first
    assert seeded("4242") == first


@pytest.mark.parametrize("name", ["images", "expressed_in"])
def test_positions_name_the_same_keys_as_the_rows(chunk: ChunkRows, name: str) -> None:
    """cypher/load/images and expressed_in find each key once and read the node at the row's
    position: every position must give back the row's own key, and each list name each key
    once (a repeated key would be sought twice; a missing one would fail the CREATE)."""
    import copy

    from pipeline.load.rows import statement_params

    rows = copy.deepcopy(chunk.rows[name])
    assert rows, name
    params = statement_params(name, rows)
    assert params["rows"] is rows
    lists = {k: v for k, v in params.items() if k != "rows"}
    assert all(len(keys) == len(set(keys)) and keys for k, keys in lists.items()
               if k != "sources"), lists
    mentions = 0
    for row in rows:
        assert params["genes"][row["gene"]] == row["gene_key"]
        if name == "images":
            assert params["stages"][row["stage"]] == row["stage_key"]
            assert (row["source"] is None) == (row["source_key"] is None)
            if row["source"] is not None:
                assert params["sources"][row["source"]] == row["source_key"]
            for show in row["shows"]:
                assert params["structures"][show["structure"]] == show["structure_key"]
                mentions += 1
        else:
            for edge in row["edges"]:
                assert params["structures"][edge["structure"]] == edge["structure_key"]
                mentions += 1
    assert mentions
    used = {row["gene_key"] for row in rows}
    assert set(params["genes"]) == used
    # a retry of the transaction computes them again: the same positions
    assert statement_params(name, rows) == params


def test_other_statements_get_their_rows_as_they_are(chunk: ChunkRows) -> None:
    from pipeline.load.rows import statement_params

    for name in CHUNK_STATEMENTS:
        if name not in ("images", "expressed_in"):
            assert statement_params(name, chunk.rows[name]) == {"rows": chunk.rows[name]}
