"""The enrichment table, obtaining a database (file, .deb, apt-get missing) and reading it,
on small org.Hs.eg.db-shaped files the tests make; no Neo4j."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.enrich import annotations, obtain
from pipeline.enrich.report import EnrichmentReport
from pipeline.enrich.table import Database, load_table
from pipeline.errors import EnrichmentError
from pipeline.ingest.summary import IngestSummary
from pipeline.queries.named import OrthologConsistencyRow
from pipeline.settings import DEFAULT_CONFIG, load_settings
from tests.orgdb import Gene, make_orgdb

GENES = {
    "211": Gene("ALAS1", "5'-aminolevulinate synthase 1", ["ALAS", "ALAS3"],
                ["ENSG00000023330"], ["125290"]),
    "1000": Gene("CDH2", "cadherin 2", ["CD325", "NCAD"], ["ENSG00000170558"], ["114020"]),
    "83543": Gene("AIF1L", "allograft inflammatory factor 1 like", ["C9orf58", "IBA2"]),
}


@pytest.fixture(scope="module")
def human() -> Database:
    table = load_table(load_settings(DEFAULT_CONFIG, environ={}).enrich.table)
    return table.find("human")


def test_the_table_finds_human_by_any_name(human: Database) -> None:
    table = load_table(load_settings(DEFAULT_CONFIG, environ={}).enrich.table)
    assert human.key == "org.Hs.eg.db" and human.taxon_id == 9606
    assert human.debian_package == "r-bioc-org.hs.eg.db"
    for name in ("org.Hs.eg.db", "Human", "9606", "Homo sapiens"):
        assert table.find(name) == human
    with pytest.raises(EnrichmentError, match=r"no enrichment database for 'mouse'; known: human"):
        table.find("mouse")


@pytest.mark.parametrize(("text", "message"), [
    ("db:\n  species: x\n", r"t\.yaml: db\.taxon_id: Field required"),
    ("db: [1]\n", r"t\.yaml: db: must be a mapping"),
    ("a: {species: a, taxon_id: 1, debian_package: pk, file: /etc/x, source_date: s, "
     "symbol: s, name: n}\n", r"t\.yaml: a\.file: Value error, must be a relative"),
    ("a: {species: a, taxon_id: 1, debian_package: pk, file: x, source_date: s, symbol: s, "
     "name: n, colour: red}\n", r"t\.yaml: a\.colour: Extra inputs"),
    ("a: {species: a, taxon_id: 1, debian_package: pk, file: x, source_date: s, symbol: s, "
     "name: n}\nb: {species: b, taxon_id: 1, debian_package: qk, file: x, source_date: s, "
     "symbol: s, name: n}\n", r"t\.yaml: b\.taxon_id: 1 is already annotated by a"),
])
def test_table_errors_name_file_and_field(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EnrichmentError, match=message):
        load_table(path)


def test_obtain_from_a_sqlite_file_caches_it_with_a_manifest(
        tmp_path: Path, human: Database) -> None:
    source = make_orgdb(tmp_path / "elsewhere" / "copy.sqlite", GENES, source_date="2022-Sep12")
    state = tmp_path / "state"
    local = obtain.obtain(human, state, from_file=source)
    assert local.path == state / "org.Hs.eg.db" / "org.Hs.eg.sqlite"
    assert local.path.read_bytes() == source.read_bytes()
    assert (local.source_date, local.source_name) == ("2022-Sep12", "Entrez Gene")
    assert local.origin == f"--from {source.resolve()}" and local.package_version is None
    assert len(local.sha256) == 64
    assert obtain.cached(human, state) == local
    assert obtain.obtain(human, state) == local  # cached: apt-get is not asked
    # a newer copy replaces it, and changes the fingerprint of what gets applied
    newer = make_orgdb(tmp_path / "newer.sqlite", GENES, source_date="2025-Jan01")
    replaced = obtain.obtain(human, state, from_file=newer)
    assert replaced.source_date == "2025-Jan01" and replaced.sha256 != local.sha256
    assert annotations.fingerprint(human, replaced) != annotations.fingerprint(human, local)
    # a file changed behind the manifest's back is not trusted
    with replaced.path.open("ab") as handle:
        handle.write(b"\0")
    assert obtain.cached(human, state) is None


@pytest.mark.skipif(shutil.which("dpkg-deb") is None, reason="dpkg-deb is not installed")
def test_obtain_from_a_deb_unpacks_the_file_inside(tmp_path: Path, human: Database) -> None:
    tree = tmp_path / "pkg"
    make_orgdb(tree / human.file, GENES)
    (tree / "DEBIAN").mkdir()
    (tree / "DEBIAN" / "control").write_text(
        "Package: r-bioc-org.hs.eg.db\nVersion: 9.9.9-1\nArchitecture: all\n"
        "Maintainer: test <t@example.org>\nDescription: test package\n", encoding="utf-8")
    deb = tmp_path / "r-bioc-org.hs.eg.db_9.9.9-1_all.deb"
    subprocess.run(["dpkg-deb", "-b", "-Zgzip", str(tree), str(deb)], check=True,
                   capture_output=True)
    local = obtain.obtain(human, tmp_path / "state", from_file=deb)
    assert local.package_version == "9.9.9-1" and local.source_date == "2022-Sep12"
    assert local.path.read_bytes() == (tree / human.file).read_bytes()
    assert sorted(p.name for p in local.path.parent.iterdir()) == [
        "org.Hs.eg.sqlite", "source.json"]  # the unpacked tree is not kept


def test_a_database_of_another_species_is_refused(tmp_path: Path, human: Database) -> None:
    mouse = make_orgdb(tmp_path / "mouse.sqlite", GENES, taxon="10090")
    with pytest.raises(EnrichmentError, match=r"mouse\.sqlite: taxon 10090 .*expected 9606"):
        obtain.obtain(human, tmp_path / "state", from_file=mouse)
    assert obtain.cached(human, tmp_path / "state") is None
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(EnrichmentError, match=r"junk\.sqlite: not a usable org\.Hs\.eg\.db"):
        obtain.obtain(human, tmp_path / "state", from_file=junk)


def test_without_apt_get_the_message_points_to_from(
        tmp_path: Path, human: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(EnrichmentError) as caught:
        obtain.obtain(human, tmp_path / "state")
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith("apt-get not found: cannot download r-bioc-org.hs.eg.db")
    assert "chickgraph enrich human --from FILE" in message


def test_read_gives_sorted_values_and_aliases_without_the_symbol(
        tmp_path: Path, human: Database) -> None:
    path = make_orgdb(tmp_path / "db.sqlite", GENES)
    found = annotations.read(human, path, ["211", "83543", "999999"])
    assert set(found) == {"211", "83543"}  # unknown ids are left out, others not read
    assert found["211"].values == {
        "symbol": "ALAS1", "name": "5'-aminolevulinate synthase 1",
        "aliases": ("ALAS", "ALAS3"), "ensembl_ids": ("ENSG00000023330",),
        "omim_ids": ("125290",)}
    assert found["83543"].values == {"symbol": "AIF1L",
                                     "name": "allograft inflammatory factor 1 like",
                                     "aliases": ("C9orf58", "IBA2")}


def test_gene_rows_set_every_property_and_none_where_unknown(
        tmp_path: Path, human: Database) -> None:
    path = make_orgdb(tmp_path / "db.sqlite", GENES)
    targets = [("NCBITaxon:9606/NCBIGene:999999", "999999"),
               ("NCBITaxon:9606/NCBIGene:83543", "83543")]
    rows = annotations.gene_rows(human, targets, annotations.read(human, path, ["83543",
                                                                                "999999"]))
    assert rows == [
        {"key": "NCBITaxon:9606/NCBIGene:83543", "omim_ids": [], "props": {
            "ann_source": "org.Hs.eg.db", "ann_symbol": "AIF1L",
            "ann_name": "allograft inflammatory factor 1 like",
            "ann_aliases": ["C9orf58", "IBA2"], "ann_ensembl_ids": None, "ann_omim_ids": None}},
        {"key": "NCBITaxon:9606/NCBIGene:999999", "omim_ids": [], "props": {
            "ann_source": "org.Hs.eg.db", "ann_symbol": None, "ann_name": None,
            "ann_aliases": None, "ann_ensembl_ids": None, "ann_omim_ids": None}},
    ]
    # the props a row writes, and the review flag the graph derives from them
    assert set(annotations.cleared_props()) == set(rows[0]["props"]) | {
        annotations.REVIEW_PROPERTY}
    assert all(v is None for v in annotations.cleared_props().values())


def test_a_statement_left_out_is_not_read(tmp_path: Path, human: Database) -> None:
    no_omim = human.model_copy(update={"omim_ids": None, "aliases": None})
    path = make_orgdb(tmp_path / "db.sqlite", GENES)
    assert annotations.read(no_omim, path, ["211"])["211"].values == {
        "symbol": "ALAS1", "name": "5'-aminolevulinate synthase 1",
        "ensembl_ids": ("ENSG00000023330",)}


def test_the_ingest_summary_carries_the_consistency_section() -> None:
    pair = OrthologConsistencyRow(
        chick_symbol="PLIN5", chick_name="perilipin 5",
        ortholog_key="NCBITaxon:9606/NCBIGene:116844", ncbi_id="116844", ortholog_symbol="LRG1",
        ortholog_name="leucine rich alpha-2-glycoprotein 1", row_symbols=None, page="PLIN5.md")
    report = EnrichmentReport(key="org.Hs.eg.db", species="human", taxon_id=9606,
                              source_date="2022-Sep12", source_name="Entrez Gene", genes=3,
                              annotated=3, inconsistent=[pair])
    text = IngestSummary(run_id="r", source="s", enrichment=[report]).markdown()
    assert "## Ortholog consistency: org.Hs.eg.db" in text
    assert "3 of 3 human ortholog genes annotated" in text and "1 ortholog pairs" in text
    assert "| PLIN5 | perilipin 5 | 116844 | LRG1 | leucine rich alpha-2-glycoprotein 1 |" in text
    assert "Ortholog consistency" not in IngestSummary(run_id="r", source="s").markdown()


def _mismatch_block(name: str) -> str:
    from pipeline.load import cypher_files

    text = cypher_files.load(name)
    start, end = text.index("// BEGIN mismatch"), text.index("// END mismatch")
    return " ".join(text[start:end].split())


def test_the_review_flags_and_the_consistency_query_apply_one_test() -> None:
    """The enrichment flags genes with the test the query then applies to each pair: were
    they to differ, the query could miss pairs the flags left out."""
    block = _mismatch_block("enrich/review_flags")
    assert "toUpper(o.ann_symbol) <> toUpper(g.symbol)" in block
    assert _mismatch_block("queries/ortholog-consistency") == block
