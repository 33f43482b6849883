"""CSV writing of the bulk path (bench/bulk.py): neo4j-admin import header format, quoting,
array delimiters, nulls vs empty strings, [] and [""] fix-ups, and the graph builder's
Cypher semantics. No Neo4j here (tests/integration/test_bulk.py compares real loads)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest

from bench import bulk

D = "\x1f"


def read(path: Path) -> list[list[str]]:
    """Parse as RFC 4180 (what neo4j-admin does with --multiline-fields)."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"), newline="")))


# --------------------------------------------------------------------------- values


@pytest.mark.parametrize(("value", "kind"), [
    ("x", "string"), ("", "string"), (True, "boolean"), (False, "boolean"), (3, "long"),
    (2**40, "long"), (24.5, "double"), (1e-7, "double"), (dt.date(2021, 3, 4), "date"),
    (dt.datetime(2021, 3, 4, 5, 6, 7), "localdatetime"),
    (dt.datetime(2021, 3, 4, 5, 6, 7, tzinfo=dt.UTC), "datetime"),
    (["a", "b"], "string[]"), (["", ""], "string[]"), ([1, 2], "long[]"),
    ([1.5], "double[]"), ([True], "boolean[]"), ([], None), ([""], None),
])
def test_csv_type(value: object, kind: str | None) -> None:
    assert bulk.csv_type(value) == kind


@pytest.mark.parametrize("value", [[1, "a"], [None], {"a": 1}, [[1]], object()])
def test_values_neo4j_cannot_store_are_refused(value: object) -> None:
    with pytest.raises(bulk.BulkError):
        bulk.csv_type(value)


def test_quote_doubles_quotes_and_keeps_everything_else() -> None:
    assert bulk.quote('say "hi", then\nleave; ok') == '"say ""hi"", then\nleave; ok"'
    assert bulk.quote("") == '""'
    assert bulk.quote('"') == '""""'


def test_format_value_scalars() -> None:
    assert bulk.format_value("a,b", "string", D) == '"a,b"'
    assert bulk.format_value(True, "boolean", D) == "true"
    assert bulk.format_value(False, "boolean", D) == "false"
    assert bulk.format_value(-7, "long", D) == "-7"
    assert bulk.format_value(24.0, "double", D) == "24.0"  # stays a float
    assert float(bulk.format_value(0.1 + 0.2, "double", D)) == 0.1 + 0.2  # round-trips
    assert bulk.format_value(float("nan"), "double", D) == "NaN"
    assert bulk.format_value(float("-inf"), "double", D) == "-Infinity"
    assert bulk.format_value(dt.date(2021, 3, 4), "date", D) == "2021-03-04"


def test_format_value_arrays_join_with_the_array_delimiter() -> None:
    value = ['a;b', 'with "quote"', "comma, and\nnewline", ""]
    field = bulk.format_value(value, "string[]", D)
    assert field == '"a;b' + D + 'with ""quote""' + D + 'comma, and\nnewline' + D + '"'
    parsed = next(csv.reader(io.StringIO(field, newline="")))
    assert parsed[0].split(D) == value
    assert bulk.format_value([1, 2], "long[]", D) == '"1' + D + '2"'


def test_an_element_holding_the_delimiter_is_a_clash() -> None:
    with pytest.raises(bulk.DelimiterClash):
        bulk.format_value(["a" + D + "b"], "string[]", D)
    assert bulk.format_value(["a" + D + "b"], "string[]", "\x1e") == '"a' + D + 'b"'


def test_encode_none_is_absent_empty_string_is_kept_and_empty_lists_are_fixed_up() -> None:
    typed, empty, blank = bulk.encode(
        {"a": None, "b": "", "c": [], "d": [""], "e": ["", ""], "f": 0, "g": False}, D)
    assert "a" not in typed
    assert typed["b"] == ("string", '""')
    assert "c" not in typed and "d" not in typed
    assert typed["e"] == ("string[]", '"' + D + '"')
    assert typed["f"] == ("long", "0") and typed["g"] == ("boolean", "false")
    assert empty == ("c",) and blank == ("d",)
    assert bulk.encode(None, D) == ({}, (), ())


# --------------------------------------------------------------------------- tables


def test_node_table_header_types_nulls_and_escaping(tmp_path: Path) -> None:
    rows = [
        (0, {"key": "a", "text": 'q"uote, comma\nnewline\r\nand CR', "n": 1, "x": 1.5,
             "flag": True, "tags": ["t;1", "t,2"]}),
        (1, {"key": "b", "text": "", "n": None}),
        (2, {"key": "c"}),
    ]
    [written] = bulk.write_table(tmp_path, "nodes", "Thing", rows, D)
    assert written.name == "Thing" and written.rows == 3 and written.multiline
    assert written.argument() == f"--nodes=Thing={written.path}"
    lines = read(written.path)
    assert lines[0] == [":ID", "flag:boolean", "key:string", "n:long", "tags:string[]",
                        "text:string", "x:double"]
    assert lines[1] == ["0", "true", "a", "1", "t;1" + D + "t,2",
                        'q"uote, comma\nnewline\r\nand CR', "1.5"]
    raw = written.path.read_bytes().decode("utf-8").split("\n")
    assert raw[-3] == '1,,"b",,,"",'  # "" is an empty string, nothing is a missing value
    assert raw[-2] == '2,,"c",,,,'


def test_single_line_files_are_not_multiline(tmp_path: Path) -> None:
    [written] = bulk.write_table(tmp_path, "nodes", "T", [(0, {"key": "a,b;c"})], D)
    assert not written.multiline


def test_a_property_with_two_types_is_split_into_two_files(tmp_path: Path) -> None:
    rows = [(0, {"key": "a", "date": dt.date(2021, 1, 2)}), (1, {"key": "b", "date": "soon"}),
            (2, {"key": "c"})]
    files = bulk.write_table(tmp_path, "nodes", "Gene", rows, D)
    headers = sorted(tuple(read(f.path)[0]) for f in files)
    assert headers == [(":ID", "date:date", "key:string"), (":ID", "date:string", "key:string"),
                       (":ID", "key:string")]
    assert sum(f.rows for f in files) == 3


def test_empty_lists_become_fix_groups(tmp_path: Path) -> None:
    fixes = bulk.FixGroups()
    rows = [(0, {"key": "a", "null_fields": [], "fields": ["x"]}),
            (1, {"key": "b", "null_fields": ["x"], "fields": ["x"]}),
            (2, {"key": "c", "null_fields": [], "aliases": [""], "fields": ["x"]})]
    files = bulk.write_table(tmp_path, "nodes", "Image", rows, D, fixes)
    names = sorted(f.name for f in files)
    assert names == ["Image", f"Image:{bulk.FIX_LABEL}"]  # one fixed marker label
    assert fixes.entities == 2
    marked = next(f for f in files if f.name != "Image")
    lines = read(marked.path)
    assert lines[0] == [":ID", f"{bulk.FIX_PROP}:long", "fields:string[]", "key:string"]
    assert [line[:2] for line in lines[1:]] == [["0", "0"], ["2", "1"]]
    assert fixes.parameters() == [{"null_fields": []}, {"null_fields": [], "aliases": [""]}]

    rel_fixes = bulk.FixGroups()
    [rel_file] = bulk.write_table(tmp_path, "relationships", "CITES",
                                  [(0, 1, {"null_fields": []}), (0, 2, {"position": 1})], D,
                                  rel_fixes)
    lines = read(rel_file.path)
    assert lines[0] == [":START_ID", ":END_ID", f"{bulk.FIX_PROP}:long", "position:long"]
    assert lines[1:] == [["0", "1", "0", ""], ["0", "2", "", "1"]]
    assert rel_fixes.parameters() == [{"null_fields": []}]


def test_fix_groups_are_shared_by_nodes_and_relationships() -> None:
    """One numbering for both kinds: cypher/bulk/fix_*.cypher index one `$fixes` list."""
    fixes = bulk.FixGroups()
    assert fixes.number("nodes", "T", ("a",), ()) == 0
    assert fixes.number("relationships", "R", (), ("b",)) == 1
    assert fixes.number("nodes", "T", ("a",), ()) == 0
    assert fixes.parameters() == [{"a": []}, {"b": [""]}]
    assert fixes.entities == 3


def test_fix_statements_are_cypher_files_with_parameters() -> None:
    from pipeline.load import cypher_files

    for name in ("bulk/fix_nodes", "bulk/fix_relationships"):
        text = cypher_files.load(name)
        assert "$fixes[x._chickgraph_bulk_fix]" in text and "IN TRANSACTIONS" in text


def test_write_csv_picks_another_delimiter_when_a_value_holds_the_first(tmp_path: Path) -> None:
    graph = bulk.GraphBuilder()
    graph.merge_set("Thing", "a", {"key": "a", "tags": ["x" + D + "y", "z"]})
    graph.merge_set("Thing", "b", {"key": "b", "tags": ["p", "q"]})
    written = bulk.write_csv(graph, tmp_path)
    assert written.array_delimiter == "\x1e"
    assert "--array-delimiter=U+001E" in written.import_args("neo4j")
    lines = read(written.files[0].path)
    assert [row[2].split("\x1e") for row in lines[1:]] == [["x" + D + "y", "z"], ["p", "q"]]


def test_import_arguments(tmp_path: Path) -> None:
    graph = bulk.GraphBuilder()
    a = graph.merge_set("Thing", "a", {"key": "a", "text": "two\nlines"})
    b = graph.merge_set("Other", "b", {"key": "b"})
    graph.create_rel("LINKS", a, b, {"w": 1})
    written = bulk.write_csv(graph, tmp_path)
    args = written.import_args("neo4j")
    assert args[:4] == ["database", "import", "full", "neo4j"]
    assert "--overwrite-destination=true" in args and "--id-type=integer" in args
    assert "--bad-tolerance=0" in args
    multiline = [a for a in args if a.startswith("--multiline-fields=")]
    assert multiline == [f"--multiline-fields={tmp_path / 'nodes-Thing-0.csv'}"]
    assert f"--relationships=LINKS={tmp_path / 'relationships-LINKS-0.csv'}" in args
    assert (written.nodes, written.relationships) == (2, 1)


# --------------------------------------------------------------------------- builder


def test_builder_follows_merge_semantics() -> None:
    g = bulk.GraphBuilder()
    first = g.merge_on_create("Source", "s", {"key": "s", "name": " s "})
    assert g.merge_on_create("Source", "s", {"key": "s", "name": "s"}) == first
    assert g.nodes["Source"]["s"][1] == {"key": "s", "name": " s "}  # ON CREATE: first wins
    gene = g.merge_on_create("Gene", "k", {"key": "k", "ncbi_id": "1"})
    assert g.merge_set("Gene", "k", {"key": "k", "symbol": "X", "name": None}) == gene
    assert g.nodes["Gene"]["k"][1] == {"key": "k", "symbol": "X"}  # SET n = props replaces


def test_builder_ortholog_rows_and_derived_ids() -> None:
    g = bulk.GraphBuilder()
    g._genes([{"key": "chick", "props": {"key": "chick", "symbol": "C"},
               "species": {"key": "NCBITaxon:9031", "name": "Gallus gallus"}}])
    g._ortholog_rows([{"gene_key": "chick", "key": f"p#ortholog-{i}",
                       "props": {"key": f"p#ortholog-{i}", "symbol": s}}
                      for i, s in enumerate(["b", "", "a"])])
    human = {"key": "NCBITaxon:9606", "name": "Homo sapiens"}
    g._ortholog_names([
        {"gene_key": "chick", "row_key": f"p#ortholog-{i}", "row_position": i,
         "gene": {"key": "h1"}, "species": human, "edge": edge}
        for i, edge in enumerate([{"ensembl_id": "E2"}, {"mod_id": "M"}, {"ensembl_id": "E1"}])
    ])
    g.collect_garbage()
    (props,) = [p for (s, e), p in g.merged["ORTHOLOG_OF"].items()]
    assert props == {"rows": [0, 1, 2]}
    human_gene = g.nodes["Gene"]["h1"][1]
    assert human_gene["ensembl_ids"] == ["E1", "E2"]
    assert human_gene["mod_ids"] == ["M"]
    assert human_gene["symbols"] == ["", "a", "b"]
    assert "ensembl_ids" not in g.nodes["Gene"]["chick"][1]  # no Page: still a chicken gene
    assert len(g.merged["IN_SPECIES"]) == 2


def test_builder_refuses_image_and_expression_rows_whose_end_is_missing() -> None:
    """As load/images and load/expressed_in do (a key that found nothing fails their CREATE):
    never a row dropped in silence."""
    g = bulk.GraphBuilder()
    g._genes([{"key": "k", "props": {"key": "k"}, "species": {"key": "s", "name": "s"}}])
    with pytest.raises(ValueError, match=r"DevelopmentalStage.*nowhere"):
        g._images([{"gene_key": "k", "props": {"key": "p#image-0"}, "stage_key": "nowhere",
                    "source_key": None, "shows": []}])
    g.merge_set("DevelopmentalStage", "HH1", {"key": "HH1"})
    g._images([{"gene_key": "k", "props": {"key": "p#image-0"}, "stage_key": "HH1",
                "source_key": "GEISHA", "shows": []}])
    assert list(g.nodes["Image"]) == ["p#image-0"]
    assert g.nodes["Source"]["GEISHA"][1] == {"key": "GEISHA", "name": "GEISHA"}
    with pytest.raises(ValueError, match=r"AnatomicalStructure.*missing"):
        g._images([{"gene_key": "k", "props": {"key": "p#image-1"}, "stage_key": "HH1",
                    "source_key": None,
                    "shows": [{"structure_key": "missing", "position": 0, "label": "x"}]}])
    with pytest.raises(ValueError, match=r"AnatomicalStructure.*missing"):
        g._expressed_in([{"gene_key": "k", "edges": [
            {"structure_key": "missing", "stage_key": "HH1", "site": "missing@HH1",
             "stage_ordinal": 1, "image_count": 1}]}])
    assert "SHOWS" not in g.created and "EXPRESSED_IN" not in g.created


def test_garbage_collection_drops_what_nothing_references() -> None:
    g = bulk.GraphBuilder()
    g.merge_on_create("Species", "lonely", {"key": "lonely"})
    g.merge_on_create("Publication", "PMID:1", {"key": "PMID:1"})
    g.merge_set("AnatomicalStructure", "curated", {"key": "curated", "curated": True})
    g.merge_on_create("AnatomicalStructure", "unmapped:x", {"key": "unmapped:x",
                                                            "curated": False})
    g.collect_garbage()
    assert [label for label in g.labels() if list(g.node_rows(label))] == [
        "AnatomicalStructure"]
    assert [p["key"] for _, p in g.node_rows("AnatomicalStructure")] == ["curated"]
