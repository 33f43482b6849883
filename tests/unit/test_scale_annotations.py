"""bench/scale_annotations.py: the human database for N copies of a release names each copy's
ortholog genes as bench/scale_corpus.py renames them, so the enrichment annotates every copy
and the consistency query finds in copy c exactly the pairs of copy 0. No Neo4j: the
pipeline's own reader (pipeline/enrich/annotations.read) reads the scaled file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import scale_annotations, scale_corpus
from pipeline.enrich import annotations
from pipeline.enrich.table import Database, load_table
from pipeline.settings import DEFAULT_CONFIG, load_settings
from pipeline.transform.records import split_ids
from tests.orgdb import Gene, make_orgdb

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "release" / "good"
GENES = {
    "300001": Gene("RELA", "RELA proto-oncogene", ["p65", "NFKB3"], ["ENSG00000173039"],
                   ["164014"]),
    "300009": Gene("NOTNAMED", "a gene no page names"),
}


@pytest.fixture(scope="module")
def human() -> Database:
    return load_table(load_settings(DEFAULT_CONFIG, environ={}).enrich.table).find("human")


def test_the_pages_human_orthologs_are_read_as_the_pipeline_reads_them() -> None:
    ids = scale_annotations.human_ortholog_ids(RELEASE / "genes")
    assert "300001" in ids and "300002" not in ids  # 300002 is RELA's zebrafish ortholog
    assert ids == sorted(ids, key=int)


def test_copies_are_renamed_as_the_pages_are(tmp_path: Path, human: Database) -> None:
    source = make_orgdb(tmp_path / "real.sqlite", GENES)
    target = tmp_path / "x3.sqlite"
    scale_annotations.write_scaled(source, target, ["300001", "300002", "424242"], 3)
    assert not target.with_name("x3.sqlite.partial").exists()
    real = annotations.read(human, source, ["300001"])["300001"].values

    # a page's ortholog row naming two human genes, as bench/scale_corpus.py renames it
    page = {"symbol": "RELA",
            "orthologs": [{"species": "Human", "entrez": "300001, 300002", "symbol": "RELA"}]}
    for copy in range(3):
        renamed = scale_corpus.rename(page, copy) if copy else page
        [copied] = renamed["orthologs"]
        ids = split_ids(copied["entrez"])
        found = annotations.read(human, target, ids)
        assert list(found) == ids[:1]  # 300002 is not in the database, in no copy
        values = found[ids[0]].values
        if copy == 0:
            assert values == real
            continue
        # the page's symbol and the database's agree in every copy as in copy 0
        assert values["symbol"] == renamed["symbol"] == copied["symbol"]
        assert values["name"] == real["name"]
        suffix = renamed["symbol"].removeprefix("RELA")
        assert values["aliases"] == tuple(sorted(a + suffix for a in real["aliases"]))
        assert values["ensembl_ids"] == tuple(e + suffix for e in real["ensembl_ids"])
        assert values["omim_ids"] == real["omim_ids"]  # OMIM entries are shared by copies

    # a gene no page names is not copied
    assert set(annotations.read(human, target, [str(300009 + c * scale_corpus.OFFSET)
                                                for c in range(3)])) == {"300009"}
