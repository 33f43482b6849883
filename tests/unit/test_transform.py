"""Transform: validation, keys, ortholog rows, images, expression (pure; no Neo4j, no Prefect).

Synthetic pages live in tests/fixtures/pages; the real ALAS2/PSMA7 pages of the shared corpus
are read in place (never copied) and the tests using them skip when the corpus is absent.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract.pages import PageIssue, RawPage, parse_page_bytes, read_page
from pipeline.transform.records import (
    NBSP,
    PageRecord,
    Vocabularies,
    expression,
    gene_key,
    image_records,
    normalise_key,
    normalise_keys,
    ortholog_rows,
    split_ids,
    to_record,
    transform,
    validate,
)
from pipeline.transform.species import CHICKEN, resolve_species
from pipeline.transform.vocab.anatomy import load_anatomy, split_location
from pipeline.transform.vocab.stages import load_stage_table

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "chickybase-2025-11-29"
GENES = CORPUS / "genes"
MAX = 5_000_000


@pytest.fixture(scope="module")
def vocab() -> Vocabularies:
    return Vocabularies(load_stage_table(), load_anatomy())


def raw_from_yaml(front_matter: str, path: str = "page.md") -> RawPage:
    """A RawPage exactly as extract would build it from this front matter."""
    data = f"---\n{front_matter.strip()}\n---\n\nbody\n".encode()
    parsed = parse_page_bytes(path, data)
    assert not isinstance(parsed, PageIssue), parsed
    fm, body, escapes = parsed
    return RawPage(path, hashlib.sha256(data).hexdigest(), len(data), fm, body, escapes)


def raw_from_dict(front_matter: dict[str, Any], path: str = "page.md") -> RawPage:
    return RawPage(path, "0" * 64, 0, front_matter, "")


def fixture_raw(name: str) -> RawPage:
    page = read_page(FIXTURES, FIXTURES / name, MAX)
    assert isinstance(page, RawPage), page
    return page


def fixture_record(name: str, vocab: Vocabularies) -> PageRecord:
    record = transform(fixture_raw(name), vocab)
    assert isinstance(record, PageRecord), record
    return record


def corpus_raw(name: str) -> RawPage:
    if not (GENES / name).exists():
        pytest.skip(f"the shared corpus page {GENES / name} is not available")
    page = read_page(GENES, GENES / name, MAX)
    assert isinstance(page, RawPage), page
    return page


def assert_issue(result: object, field: str, *needles: str, file: str = "page.md") -> None:
    assert isinstance(result, PageIssue), f"expected a PageIssue, got {type(result).__name__}"
    assert result.file == file
    assert result.field == field, result
    assert result.message.strip() and "\n" not in result.message
    for needle in needles:
        assert needle.casefold() in result.message.casefold(), result.message


# ------------------------------------------------------------------ key normalisation


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (f"Biological{NBSP}Process", "Biological Process"),
        (f"In{NBSP}Situ{NBSP}Hybridization", "In Situ Hybridization"),
        (f" Genomic {NBSP} Map{NBSP}", "Genomic Map"),
        ("KEGG", "KEGG"),
        (1, "1"),
    ],
)
def test_normalise_key(key: object, expected: str) -> None:
    assert normalise_key(key) == expected


def test_normalise_keys_is_recursive_and_leaves_values_alone() -> None:
    value = {f"a{NBSP}b": [{f"c{NBSP}d": f"v{NBSP}w"}, "x"], "e": {f"f{NBSP}g": None}}
    assert normalise_keys(value) == {"a b": [{"c d": f"v{NBSP}w"}, "x"], "e": {"f g": None}}


def test_nbsp_keys_in_external_ids_are_normalised(vocab: Vocabularies) -> None:
    raw = fixture_raw("NBSPKEYS.md")
    assert any(NBSP in key for key in raw.front_matter["external_ids"])  # the fixture has them
    checked = validate(raw)
    assert not isinstance(checked, PageIssue), checked
    fm, warnings = checked
    assert warnings == []
    assert list(fm["external_ids"]) == [
        "Biological Process", "Genomic Map", "In Situ Hybridization", "KEGG"]
    record = fixture_record("NBSPKEYS.md", vocab)
    assert record.gene_props["external_id_labels"] == list(fm["external_ids"])
    assert record.gene_props["external_id_urls"][1] == "http://www.ncbi.nlm.nih.gov/gene/395318"
    assert record.gene_props["external_id_urls"][3] == ""  # null URL kept as a placeholder
    assert record.gene_props["external_id_nulls"] == ["KEGG"]


def test_top_level_key_collision_after_normalisation_is_reported() -> None:
    raw = raw_from_dict({"symbol": "A", f"gene{NBSP}type": "x", "gene type": "y"})
    assert_issue(validate(raw), "gene type", "differ only by")
    raw = raw_from_dict({"symbol": "A", "curator  note": "x", "curator note": "y"})
    assert_issue(validate(raw), "curator note", "differ only by")


def test_nested_key_collision_after_normalisation_is_reported() -> None:
    raw = raw_from_dict({"symbol": "A", "external_ids": {
        f"Biological{NBSP}Process": "http://one", "Biological Process": "http://two"}})
    result = validate(raw)
    assert isinstance(result, PageIssue)
    assert result.field.startswith("external_ids")


# ------------------------------------------------------------------ validation: shapes


@pytest.mark.parametrize(
    ("front_matter", "field", "needle"),
    [
        ("symbol: A\nimages: x", "images", "list"),
        ("symbol: A\nimages: [x]", "images.0", ""),
        ("symbol: A\northologs: {}", "orthologs", "list"),
        ("symbol: A\ntemplate_length: abc", "template_length", "whole number"),
        ("symbol: A\ntemplate_length: '-5'", "template_length", "whole number"),
        ("symbol: A\ntemplate_length: 823", "template_length", "string"),
        ("symbol: A\ntemplate_length: '99999999999'", "template_length", "implausibly"),
        ("symbol: 123", "symbol", "string"),
        ("title: A", "symbol", "required"),
        ("symbol: '   '", "symbol", "blank"),
        ("symbol: ''", "symbol", ""),
        ("symbol: null", "symbol", ""),
        ("symbol: A\ngene_id: 451325", "gene_id", "string"),
        ("symbol: A\naliases: alias-one", "aliases", "list"),
        ("symbol: A\naliases: [ok, 5]", "aliases.1", "string"),
        ("symbol: A\ndraft: 'no'", "draft", "bool"),
        ("symbol: A\nexternal_ids: [a]", "external_ids", "dict"),
        ("symbol: A\nexternal_ids: {KEGG: 5}", "external_ids.KEGG", "string"),
        ("symbol: A\nimages:\n- image_url: u\n  stage: 10", "images.0.stage", "string"),
        ("symbol: A\nimages:\n- image_url: u\n- caption: no url", "images.1.image_url",
         "required"),
        ("symbol: A\nimages:\n- image_url: u\n  location: [Heart]", "images.0.location",
         "string"),
        ("symbol: A\northologs:\n- species: Human\n  entrez: 211", "orthologs.0.entrez",
         "string"),
        ("symbol: A\nsources:\n- type: database", "sources.0.name", "required"),
        ("symbol: A\npapers:\n- pubmed_id: 12345", "papers.0.pubmed_id", "string"),
    ],
)
def test_wrong_shapes_are_issues_naming_the_field_path(
    vocab: Vocabularies, front_matter: str, field: str, needle: str
) -> None:
    raw = raw_from_yaml(front_matter)
    assert_issue(validate(raw), field, needle)
    assert_issue(transform(raw, vocab), field, needle)  # transform reports, never raises


def test_several_errors_are_counted_in_the_first_issue() -> None:
    raw = raw_from_yaml("symbol: 1\ngene_id: 2\nimages: x")
    result = validate(raw)
    assert isinstance(result, PageIssue)
    assert "(+2 more)" in result.message


@pytest.mark.parametrize(
    ("front_matter", "field"),
    [
        ('symbol: "A\\x01B"', "symbol"),
        ('symbol: A\nname: "bell\\x07"', "name"),
        ('symbol: A\nimages:\n- image_url: u\n  caption: "\\e[31mred"', "images.0.caption"),
        ('symbol: A\northologs:\n- species: "Hu\\x00man"', "orthologs.0.species"),
    ],
)
def test_control_characters_are_rejected(
    vocab: Vocabularies, front_matter: str, field: str
) -> None:
    assert_issue(transform(raw_from_yaml(front_matter), vocab), field, "control characters")


def test_tabs_and_newlines_are_not_control_characters(vocab: Vocabularies) -> None:
    record = transform(raw_from_yaml('symbol: A\nname: "two\\tcols\\nand lines\\r"'), vocab)
    assert isinstance(record, PageRecord), record
    assert record.gene_props["name"] == "two\tcols\nand lines\r"


@pytest.mark.parametrize(
    ("front_matter", "field"),
    [
        ('symbol: A\naliases: ["ok", "esc\\e[2J"]', "aliases.1"),
        ('symbol: A\nexternal_ids: {KEGG: "http://x\\x01"}', "external_ids.KEGG"),
    ],
    ids=["aliases", "external_ids"],
)
def test_control_characters_in_lists_and_mappings_are_rejected(
    vocab: Vocabularies, front_matter: str, field: str
) -> None:
    result = transform(raw_from_yaml(front_matter), vocab)
    assert isinstance(result, PageIssue), "control character accepted"
    assert result.field == field


def test_del_is_rejected_but_c1_controls_are_kept(vocab: Vocabularies) -> None:
    """C1 controls occur in the real corpus (cp1252 dashes decoded as Latin-1): kept."""
    result = transform(raw_from_yaml('symbol: "A\\x7fB"'), vocab)
    assert isinstance(result, PageIssue), "DEL accepted"
    kept = transform(raw_from_yaml('symbol: A\nname: "1999\\x962012"'), vocab)
    assert isinstance(kept, PageRecord), kept
    assert kept.gene_props["name"] == "1999\x962012"


def test_every_issue_has_file_field_and_message(vocab: Vocabularies) -> None:
    bad = [
        "symbol: A\nimages: x", "symbol: A\northologs: {}", "symbol: A\ntemplate_length: abc",
        "symbol: 7", "title: only", "symbol: ' '", 'symbol: "\\x01"',
        "symbol: A\nimages:\n- image_url: u\n  stage: 8",
    ]
    for index, front_matter in enumerate(bad):
        path = f"dir/page-{index}.md"
        issue = transform(raw_from_yaml(front_matter, path), vocab)
        assert isinstance(issue, PageIssue), front_matter
        assert issue.file == path
        assert issue.field and issue.message
        assert set(issue.as_dict()) == {"file", "field", "message", "severity"}


# ------------------------------------------------------------------ unknown keys are kept


def test_unknown_top_level_keys_are_kept_in_page_extra_json(vocab: Vocabularies) -> None:
    record = fixture_record("EXTRA.md", vocab)
    extra = json.loads(record.page_props["extra_json"])
    assert extra["curator_note"] == "re-check stage 10 images"
    assert extra["review"]["by"] == "someone"
    assert "curator_note" in record.page_props["keys"]
    assert "curator_note" not in record.gene_props
    # known keys are not duplicated into extra_json
    assert not {"symbol", "sources", "papers", "template_length"} & set(extra)


def test_dates_in_unknown_keys_survive_as_tagged_json(vocab: Vocabularies) -> None:
    record = transform(raw_from_yaml("symbol: A\nreviewed: 2024-05-06\nnote: x"), vocab)
    assert isinstance(record, PageRecord)
    extra = json.loads(record.page_props["extra_json"])
    assert extra == {"reviewed": {"__date__": "2024-05-06"}, "note": "x"}


def test_unknown_keys_in_nested_entries_are_kept(vocab: Vocabularies) -> None:
    images = fixture_record("IMAGES.md", vocab).images
    assert json.loads(images[3].props["extra_json"]) == {"rotation": 90}
    assert "rotation" in images[3].props["fields"]
    orthologs = fixture_record("ORTHO.md", vocab).orthologs
    assert json.loads(orthologs[4].props["extra_json"]) == {"curator_flag": "checked"}
    sources = fixture_record("EXTRA.md", vocab).sources
    assert json.loads(sources[0].edge_props["extra_json"]) == {
        "mirror": "https://mirror.example.org/"}


def test_null_and_absent_top_level_keys_are_told_apart(vocab: Vocabularies) -> None:
    record = transform(raw_from_yaml("symbol: A\nname: null\ntitle: T"), vocab)
    assert isinstance(record, PageRecord)
    assert record.page_props["keys"] == ["symbol", "name", "title"]
    assert record.page_props["null_keys"] == ["name"]
    assert "name" not in record.gene_props


@pytest.mark.parametrize(
    "front_matter",
    [
        "symbol: A\ntags: !!set {a, b}",
        "symbol: A\nblob: !!binary aGVsbG8=",
        "symbol: A\nimages:\n- image_url: u\n  raw: !!binary aGVsbG8=",
    ],
    ids=["set", "binary", "image-binary"],
)
def test_unstorable_yaml_types_are_issues_not_exceptions(
    vocab: Vocabularies, front_matter: str
) -> None:
    result = transform(raw_from_yaml(front_matter), vocab)
    assert isinstance(result, PageIssue | PageRecord)


def test_unknown_key_named_on_is_kept_verbatim(vocab: Vocabularies) -> None:
    record = transform(raw_from_yaml("symbol: A\nreview:\n  on: 2024-05-06"), vocab)
    assert isinstance(record, PageRecord)
    assert "on" in json.loads(record.page_props["extra_json"])["review"]


# ------------------------------------------------------------------ never raises


_TEXT = st.text(max_size=8)
_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | _TEXT
_VALUES = st.recursive(
    _SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TEXT, inner,
                                                                           max_size=3),
    max_leaves=8,
)
_ENTRY = st.dictionaries(
    st.sampled_from(["image_url", "stage", "location", "source", "species", "entrez", "ensembl",
                     "mod", "symbol", "phenotypes", "name", "title", "doi", "pubmed_id",
                     "other"]),
    st.none() | _TEXT | st.sampled_from(["stage 10", "HH8+", "Heart, Heart", "1,2", "Xenopus"]),
    max_size=6,
)
_FRONT = st.dictionaries(
    st.sampled_from(["symbol", "gene_id", "ncbi_id", "species", "images", "orthologs",
                     "sources", "papers", "external_ids", "template_length", "aliases", "date",
                     "extra"]),
    _VALUES | st.lists(_ENTRY, max_size=3),
    max_size=8,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_FRONT, st.one_of(st.none(), _TEXT))
def test_transform_never_raises_on_json_like_front_matter(
    vocab: Vocabularies, front: dict[str, Any], symbol: str | None
) -> None:
    if symbol is not None:
        front = {**front, "symbol": symbol}
    result = transform(raw_from_dict(front, "p.md"), vocab)
    if isinstance(result, PageIssue):
        assert result.file == "p.md" and result.field and result.message
    else:
        assert result.gene_key and result.path == "p.md"


# ------------------------------------------------------------------ split_ids


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, []),
        ("", []),
        ("   ", []),
        (",,,", []),
        ("493434,444480", ["493434", "444480"]),
        (" 493434 , 444480 ,", ["493434", "444480"]),
        ("211", ["211"]),
        ("b,a,b", ["b", "a", "b"]),
    ],
)
def test_split_ids_examples(value: str | None, expected: list[str]) -> None:
    assert split_ids(value) == expected


@given(st.one_of(st.none(), st.text()))
def test_split_ids_never_raises_and_yields_clean_ids(value: str | None) -> None:
    ids = split_ids(value)
    assert isinstance(ids, list)
    for ident in ids:
        assert ident, "empty id"
        assert ident == ident.strip(), "padded id"
        assert "," not in ident


_ID = st.text(min_size=1, max_size=12).filter(lambda s: "," not in s and s.strip() != "")
_SEP = st.sampled_from([",", ", ", " ,", " , ", ",,", ", ,", f",{NBSP}"])


@given(st.lists(_ID, max_size=8), st.data())
def test_split_ids_keeps_order(ids: list[str], data: st.DataObject) -> None:
    joined = ""
    for index, ident in enumerate(ids):
        joined += (data.draw(_SEP) if index else data.draw(st.sampled_from(["", " ", ","])))
        joined += ident
    joined += data.draw(st.sampled_from(["", ",", " "]))
    assert split_ids(joined) == [ident.strip() for ident in ids]


@given(st.one_of(st.none(), st.text()))
def test_split_ids_join_then_split_is_stable(value: str | None) -> None:
    once = split_ids(value)
    assert split_ids(",".join(once)) == once
    assert split_ids(", ".join(once)) == once


# ------------------------------------------------------------------ gene_key


MOUSE = resolve_species("Mouse")


@pytest.mark.parametrize(
    ("front_matter", "species", "expected"),
    [
        ({"symbol": "ALAS2", "gene_id": "451325", "ncbi_id": "999"}, CHICKEN,
         "NCBITaxon:9031/NCBIGene:451325"),
        ({"symbol": "ALAS2", "gene_id": " 451325 "}, CHICKEN, "NCBITaxon:9031/NCBIGene:451325"),
        ({"symbol": "X", "gene_id": "11655"}, MOUSE, "NCBITaxon:10090/NCBIGene:11655"),
        ({"symbol": "X", "ncbi_id": "424242"}, CHICKEN, "NCBITaxon:9031/NCBIGene:424242"),
        ({"symbol": "X", "gene_id": "", "ncbi_id": "424242"}, CHICKEN,
         "NCBITaxon:9031/NCBIGene:424242"),
        ({"symbol": "X", "gene_id": None, "ncbi_id": "424242"}, CHICKEN,
         "NCBITaxon:9031/NCBIGene:424242"),
        ({"symbol": "Brn3c", "gene_id": "Brn3c"}, CHICKEN, "NCBITaxon:9031/symbol:Brn3c"),
        ({"symbol": "Brn3c", "gene_id": "Brn3c", "ncbi_id": "100"}, CHICKEN,
         "NCBITaxon:9031/NCBIGene:100"),
        ({"symbol": "X", "gene_id": "LOC-12"}, CHICKEN, "NCBITaxon:9031/symbol:X"),
        ({"symbol": "X", "gene_id": "12.5"}, CHICKEN, "NCBITaxon:9031/symbol:X"),
        ({"symbol": "X", "gene_id": "-12"}, CHICKEN, "NCBITaxon:9031/symbol:X"),
        ({"symbol": " Mouseonly "}, MOUSE, "NCBITaxon:10090/symbol:Mouseonly"),
    ],
)
def test_gene_key(front_matter: dict[str, Any], species: Any, expected: str) -> None:
    assert gene_key(front_matter, species) == expected


def test_gene_key_with_non_ascii_digit_falls_back_to_symbol() -> None:
    assert gene_key({"symbol": "X", "gene_id": "\u00b2"}, CHICKEN) == "NCBITaxon:9031/symbol:X"


def test_gene_keys_of_fixture_pages(vocab: Vocabularies) -> None:
    keys = {name: fixture_record(name, vocab).gene_key for name in
            ("Brn3c.md", "NCBIONLY.md", "MOUSEONLY.md", "NBSPKEYS.md")}
    assert keys == {
        "Brn3c.md": "NCBITaxon:9031/symbol:Brn3c",
        "NCBIONLY.md": "NCBITaxon:9031/NCBIGene:424242",
        "MOUSEONLY.md": "NCBITaxon:10090/symbol:Mouseonly",
        "NBSPKEYS.md": "NCBITaxon:9031/NCBIGene:395318",
    }
    brn3c = fixture_record("Brn3c.md", vocab)
    assert brn3c.gene_props["gene_id"] == "Brn3c"  # the raw value is kept on the node
    assert brn3c.gene_props["key"] == brn3c.gene_key == brn3c.page_props["gene_key"]


def test_species_defaults_to_chicken_and_unknown_species_warns(vocab: Vocabularies) -> None:
    plain = transform(raw_from_yaml("symbol: A\ngene_id: '5'"), vocab)
    assert isinstance(plain, PageRecord)
    assert plain.species == CHICKEN and plain.gene_key == "NCBITaxon:9031/NCBIGene:5"
    assert plain.warnings == ()
    odd = transform(raw_from_yaml("symbol: A\ngene_id: '5'\nspecies: Axolotl"), vocab)
    assert isinstance(odd, PageRecord)
    assert odd.gene_key == "label:axolotl/NCBIGene:5"
    assert odd.gene_props["taxon_id"] is None
    assert [(w.field, w.severity) for w in odd.warnings] == [("species", "warning")]
    assert odd.warnings[0].file == "page.md"


# ------------------------------------------------------------------ ortholog_rows


ALAS2_XENOPUS = {"ensembl": "", "entrez": "493434,444480", "mod": "975178", "phenotypes": "",
                 "species": "Xenopus"}


def test_xenopus_row_with_two_entrez_ids_names_two_genes() -> None:
    (row,) = ortholog_rows("ALAS2.md", [ALAS2_XENOPUS])
    assert row.key == "ALAS2.md#ortholog-0" and row.position == 0
    assert row.species is not None and row.species.taxon_id == 8353
    assert [n.gene.key for n in row.names] == [
        "NCBITaxon:8353/NCBIGene:493434", "NCBITaxon:8353/NCBIGene:444480"]
    assert [n.gene.ncbi_id for n in row.names] == ["493434", "444480"]
    assert all(n.gene.species.taxon_id == 8353 for n in row.names)
    # one MOD id for two genes and no Ensembl id: nothing can be paired
    assert [(n.ensembl_id, n.mod_id, n.phenotypes) for n in row.names] == [(None, None, None)] * 2
    assert row.props["entrez"] == "493434,444480"  # the row keeps what the page says
    assert row.props["mod"] == "975178"
    identity = row.names[0].gene.identity_props()
    assert identity == {"key": "NCBITaxon:8353/NCBIGene:493434", "taxon_id": 8353,
                        "species_key": "NCBITaxon:8353", "ncbi_id": "493434"}


def test_ensembl_and_mod_ids_pair_only_when_counts_match() -> None:
    rows = ortholog_rows("p.md", [
        {"species": "Mouse", "entrez": "1, 2", "ensembl": "E1,E2", "mod": "M1,M2",
         "phenotypes": None},
        {"species": "Mouse", "entrez": "1,2", "ensembl": "E1", "mod": "M1,M2,M3"},
        {"species": "Mouse", "entrez": "7", "ensembl": "E7", "mod": "M7", "phenotypes": "lethal"},
    ])
    assert [(n.gene.key, n.ensembl_id, n.mod_id) for n in rows[0].names] == [
        ("NCBITaxon:10090/NCBIGene:1", "E1", "M1"), ("NCBITaxon:10090/NCBIGene:2", "E2", "M2")]
    assert [(n.ensembl_id, n.mod_id) for n in rows[1].names] == [(None, None), (None, None)]
    assert [(n.ensembl_id, n.mod_id, n.phenotypes) for n in rows[2].names] == [
        ("E7", "M7", "lethal")]


def test_all_empty_row_is_kept_with_no_names() -> None:
    empty = {"ensembl": "", "entrez": "", "mod": "", "phenotypes": "", "species": "Human"}
    rows = ortholog_rows("p.md", [ALAS2_XENOPUS, empty, {}])
    assert [r.key for r in rows] == ["p.md#ortholog-0", "p.md#ortholog-1", "p.md#ortholog-2"]
    assert rows[1].names == ()
    assert rows[1].species is not None and rows[1].species.taxon_id == 9606
    assert rows[1].props["fields"] == ["ensembl", "entrez", "mod", "phenotypes", "species"]
    assert rows[2].names == () and rows[2].species is None
    assert rows[2].props["fields"] == [] and rows[2].props["null_fields"] == []


def test_row_with_only_ensembl_mod_or_symbol_gets_a_key_of_that_kind() -> None:
    rows = ortholog_rows("p.md", [
        {"species": "Zebrafish", "ensembl": "ENSDARG00000021059"},
        {"species": "Zebrafish", "mod": "ZFIN:ZDB-GENE-1"},
        {"species": "Human", "symbol": "HBB"},
        {"species": "Human", "entrez": "", "ensembl": " ", "symbol": "X", "mod": None},
        {"ensembl": "E1"},
    ])
    assert [[n.gene.key for n in r.names] for r in rows] == [
        ["NCBITaxon:7955/ENSEMBL:ENSDARG00000021059"],
        ["NCBITaxon:7955/mod:ZFIN:ZDB-GENE-1"],
        ["NCBITaxon:9606/symbol:HBB"],
        ["NCBITaxon:9606/symbol:X"],
        ["label:unknown/ENSEMBL:E1"],
    ]
    assert rows[0].names[0].ensembl_id == "ENSDARG00000021059"
    assert rows[0].names[0].gene.ensembl_id == "ENSDARG00000021059"
    assert rows[4].species is None and rows[4].names[0].gene.species.taxon_id is None


def test_padded_ortholog_symbol_key_is_stripped_like_gene_key() -> None:
    (row,) = ortholog_rows("p.md", [{"species": "Human", "symbol": " HBB "}])
    assert [n.gene.key for n in row.names] == [
        gene_key({"symbol": " HBB "}, resolve_species("Human"))]


def test_fields_and_null_fields_record_presence_versus_null() -> None:
    (row,) = ortholog_rows("p.md", [{"species": "Human", "entrez": "211", "ensembl": None,
                                     "phenotypes": "", "note": None}])
    assert row.props["fields"] == ["species", "entrez", "ensembl", "phenotypes", "note"]
    assert row.props["null_fields"] == ["ensembl", "note"]
    assert "ensembl" not in row.props  # null values are not stored as properties
    assert row.props["phenotypes"] == ""  # an empty string is a value, kept
    assert json.loads(row.props["extra_json"]) == {"note": None}


def test_ortholog_rows_of_fixture_page(vocab: Vocabularies) -> None:
    rows = fixture_record("ORTHO.md", vocab).orthologs
    assert [len(r.names) for r in rows] == [2, 0, 1, 2, 1, 1, 1]
    assert [r.position for r in rows] == list(range(7))
    assert rows[6].species is not None and rows[6].species.key == "label:axolotl"
    assert rows[3].props["null_fields"] == ["phenotypes"]


# ------------------------------------------------------------------ images and expression


def images_of(vocab: Vocabularies, *images: dict[str, Any]):
    return image_records("p.md", list(images), vocab)


def test_stage_labels_resolve_to_curated_keys_and_ordinals(vocab: Vocabularies) -> None:
    hh10 = vocab.stages.get("HH10")
    assert hh10 is not None
    records = images_of(vocab, {"image_url": "a", "stage": "stage 10"},
                        {"image_url": "b", "stage": "Stage 10"},
                        {"image_url": "c", "stage": "HH 10"})
    for record in records:
        assert record.stage_key == "HH10"
        assert record.stage_ordinal == hh10.ordinal
        assert record.props["stage_key"] == "HH10"
        assert record.props["stage_ordinal"] == hh10.ordinal
        assert record.stage_node is None  # curated: no ad hoc node
    egk = images_of(vocab, {"image_url": "d", "stage": "stage XII"})[0]
    assert egk.stage_key == "EGK-XII" and egk.stage_node is None


def test_substage_gets_an_ad_hoc_node_under_its_parent(vocab: Vocabularies) -> None:
    hh8 = vocab.stages.get("HH8")
    assert hh8 is not None
    (record,) = images_of(vocab, {"image_url": "a", "stage": "HH8+"})
    assert record.stage_key == "HH8+"
    assert record.stage_ordinal == hh8.ordinal + 0.5
    assert record.stage_node == {"key": "HH8+", "status": "substage", "curated": False,
                                 "name": "HH8+", "ordinal": hh8.ordinal + 0.5,
                                 "parent_key": "HH8"}
    (minus,) = images_of(vocab, {"image_url": "a", "stage": "HH8-"})
    assert minus.stage_ordinal == hh8.ordinal - 0.5
    assert minus.stage_ordinal < hh8.ordinal < record.stage_ordinal


def test_unknown_and_other_species_stages_go_to_unresolved_buckets(vocab: Vocabularies) -> None:
    unknown, hpf, none, empty = images_of(
        vocab, {"image_url": "a", "stage": "unknown"}, {"image_url": "b", "stage": "24 hpf"},
        {"image_url": "c", "stage": None}, {"image_url": "d"})
    assert unknown.stage_key == "unresolved:unknown:unknown"
    assert unknown.stage_ordinal is None and "stage_ordinal" not in unknown.props
    assert unknown.stage_node is not None
    assert unknown.stage_node["status"] == "unresolved"
    assert unknown.stage_node["reason"] == "unknown"
    assert unknown.stage_node["curated"] is False
    assert hpf.stage_key == "unresolved:other_species:24 hpf"
    assert hpf.stage_node is not None and hpf.stage_node["other_species"] == "Danio rerio"
    assert none.stage_key == empty.stage_key == "unresolved:empty:"
    assert none.props["null_fields"] == ["stage"] and empty.props["null_fields"] == []


def test_null_or_missing_location_shows_nothing(vocab: Vocabularies) -> None:
    null, missing, blank = images_of(
        vocab, {"image_url": "a", "location": None, "stage": "stage 4"},
        {"image_url": "b", "stage": "stage 4"}, {"image_url": "c", "location": " , "})
    for record in (null, missing, blank):
        assert record.shows == ()
    assert "location" in null.props["null_fields"] and "location" not in null.props
    assert "location" not in missing.props["fields"]
    assert expression((null, missing, blank)) == ()


def test_duplicate_terms_are_mentions_but_count_once_per_image(vocab: Vocabularies) -> None:
    records = images_of(
        vocab,
        {"image_url": "a", "stage": "stage 10", "location": "Heart, Notochord, Heart"},
        {"image_url": "b", "stage": "stage 10", "location": "heart"},
        {"image_url": "c", "stage": "stage 11", "location": "Heart, Heart, Heart"},
    )
    assert [(s.structure_key, s.position, s.label) for s in records[0].shows] == [
        ("heart", 0, "Heart"), ("notochord", 1, "Notochord"), ("heart", 2, "Heart")]
    assert len(records[2].shows) == 3
    counts = {(e.structure_key, e.stage_key): e.image_count for e in expression(records)}
    assert counts == {("heart", "HH10"): 2, ("notochord", "HH10"): 1, ("heart", "HH11"): 1}


def test_case_variants_share_a_structure_key(vocab: Vocabularies) -> None:
    records = images_of(
        vocab, {"image_url": "a", "stage": "stage 5", "location": "Extraembryonic Mesoderm"},
        {"image_url": "b", "stage": "stage 5", "location": "extraembryonic mesoderm"},
        {"image_url": "c", "stage": "stage 5", "location": " EXTRAEMBRYONIC  MESODERM "})
    assert {r.shows[0].structure_key for r in records} == {"extraembryonic-mesoderm"}
    assert [r.shows[0].label for r in records] == [
        "Extraembryonic Mesoderm", "extraembryonic mesoderm", "EXTRAEMBRYONIC  MESODERM"]
    (expr,) = expression(records)
    assert (expr.structure_key, expr.stage_key, expr.image_count) == (
        "extraembryonic-mesoderm", "HH5", 3)


def test_non_structures_and_unmapped_terms_are_shown_but_not_expressed(
    vocab: Vocabularies,
) -> None:
    (record,) = images_of(vocab, {"image_url": "a", "stage": "stage 6", "location":
                                  "Unlabeled, Widespread Expression, Glorpus, Heart"})
    assert [(s.structure_key, s.kind) for s in record.shows] == [
        ("unlabeled", "non_structure"), ("widespread-expression", "non_structure"),
        ("unmapped:glorpus", "unmapped"), ("heart", "structure")]
    assert [(e.structure_key, e.stage_key) for e in expression((record,))] == [("heart", "HH6")]


def test_expression_is_sorted_and_carries_stage_ordinals(vocab: Vocabularies) -> None:
    record = fixture_record("IMAGES.md", vocab)
    rows = [(e.structure_key, e.stage_key) for e in record.expression]
    assert rows == sorted(rows)
    hh10 = vocab.stages.get("HH10")
    assert hh10 is not None
    by_key = {(e.structure_key, e.stage_key): e for e in record.expression}
    assert by_key[("extraembryonic-mesoderm", "HH10")].image_count == 2
    assert by_key[("extraembryonic-mesoderm", "HH10")].stage_ordinal == hh10.ordinal
    assert by_key[("heart", "HH10")].image_count == 1
    assert by_key[("heart", "unresolved:unknown:unknown")].stage_ordinal is None
    assert not any(e.structure_key.startswith("unmapped:") for e in record.expression)
    assert "unlabeled" not in {e.structure_key for e in record.expression}
    assert "widespread-expression" not in {e.structure_key for e in record.expression}


def test_image_records_keep_position_source_and_fields(vocab: Vocabularies) -> None:
    images = fixture_record("IMAGES.md", vocab).images
    assert [i.key for i in images] == [f"IMAGES.md#image-{n}" for n in range(6)]
    assert [i.position for i in images] == list(range(6))
    assert [i.source_name for i in images] == [
        "GEISHA", "GEISHA", "Cardozo et al. 2014", None, None, None]
    assert images[4].props["source"] == ""  # blank source: kept on the image, no source link
    assert images[2].props["fields"] == ["image_url", "location", "source", "stage"]


# ------------------------------------------------------------------ to_record


def test_to_record_gene_properties(vocab: Vocabularies) -> None:
    record = fixture_record("EXTRA.md", vocab)
    props = record.gene_props
    assert props["template_length"] == 823 and props["template_length_raw"] == "0823"
    assert props["draft"] is False
    assert props["taxon_id"] == 9031 and props["species_key"] == "NCBITaxon:9031"
    assert [p.key for p in record.papers] == ["DOI:10.1000/xyz", "PMID:12345"]
    assert record.papers[0].edge_props["null_fields"] == ["pubmed_id"]
    assert [s.key for s in record.sources] == ["GEISHA"]


def test_real_alas2_page(vocab: Vocabularies) -> None:
    raw = corpus_raw("ALAS2.md")
    checked = validate(raw)
    assert not isinstance(checked, PageIssue), checked
    fm, _ = checked
    record = to_record(raw, fm, vocab)
    assert record.path == "ALAS2.md"
    assert record.sha256 == hashlib.sha256((GENES / "ALAS2.md").read_bytes()).hexdigest()
    assert record.gene_key == "NCBITaxon:9031/NCBIGene:451325"
    assert record.symbol == "ALAS2"
    assert record.warnings == ()
    # counts against the page
    assert len(record.images) == len(fm["images"]) == 23
    assert len(record.orthologs) == 5
    assert sum(len(r.names) for r in record.orthologs) == 6
    assert [s.key for s in record.sources] == ["GEISHA", "NCBI Gene"]
    assert record.papers == ()
    assert len(record.gene_props["aliases"]) == 10
    assert record.gene_props["template_length"] == 823
    assert len(record.gene_props["external_id_labels"]) == 9
    mentions = sum(len(split_location(image.get("location"))) for image in fm["images"])
    assert sum(len(i.shows) for i in record.images) == mentions
    # stages: all curated HH stages
    assert {i.stage_key for i in record.images} == {
        "HH4", "HH5", "HH6", "HH10", "HH11", "HH18", "HH22", "HH24"}
    assert all(i.stage_node is None for i in record.images)
    # orthologs, in page order; the Xenopus row names two genes of taxon 8353
    assert [r.props["species"] for r in record.orthologs] == [
        "Fruit Fly", "Human", "Mouse", "Xenopus", "Zebrafish"]
    xenopus = record.orthologs[3]
    assert [n.gene.key for n in xenopus.names] == [
        "NCBITaxon:8353/NCBIGene:493434", "NCBITaxon:8353/NCBIGene:444480"]
    mouse = record.orthologs[2].names[0]
    assert (mouse.ensembl_id, mouse.mod_id) == ("ENSMUSG00000032786", "MGI:87989")
    assert mouse.phenotypes == "All phenotypic alleles (3):Targeted, other(3)"
    fly = record.orthologs[0].names[0]
    assert fly.gene.key == "NCBITaxon:7227/NCBIGene:37815" and fly.ensembl_id is None
    # expression: two stage-5 and two stage-6 images show extraembryonic mesoderm
    counts = {(e.structure_key, e.stage_key): e.image_count for e in record.expression}
    assert counts[("extraembryonic-mesoderm", "HH5")] == 2
    assert counts[("extraembryonic-mesoderm", "HH6")] == 2
    assert counts[("gonad", "HH24")] >= 3
    assert "widespread-expression" not in {k for k, _ in counts}
    per_stage = {s: sum(1 for i in record.images if i.stage_key == s)
                 for s in {i.stage_key for i in record.images}}
    assert all(count <= per_stage[stage] for (_, stage), count in counts.items())


def test_real_psma7_page_has_plain_space_external_id_labels(vocab: Vocabularies) -> None:
    raw = corpus_raw("PSMA7.md")
    assert any(NBSP in key for key in raw.front_matter["external_ids"])
    record = transform(raw, vocab)
    assert isinstance(record, PageRecord), record
    labels = record.gene_props["external_id_labels"]
    assert "Biological Process" in labels and "In Situ Hybridization" in labels
    assert not any(NBSP in label for label in labels)
    assert not any(NBSP in key for key in record.page_props["keys"])
