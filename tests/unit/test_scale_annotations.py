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
from tests.orgdb import Gene, make_orgdb

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "release" / "good"
OFFSET = scale_corpus.OFFSET
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
    scale_annotations.write_scaled(source, target, ["300001", "424242"], 3)
    assert not target.with_name("x3.sqlite.partial").exists()

    copies = [str(300001 + c * OFFSET) for c in range(3)]
    found = annotations.read(human, target, [*copies, "300009", str(300009 + OFFSET)])
    assert set(found) == {*copies, "300009"}  # a gene no page names is not copied
    assert found["300001"].values == annotations.read(human, source, ["300001"])["300001"].values
    for copy in (1, 2):
        values = found[copies[copy]].values
        suffix = f"_c{copy}"
        assert values["symbol"] == "RELA" + suffix  # as the copy's ortholog row symbol
        assert values["name"] == "RELA proto-oncogene"
        assert values["aliases"] == tuple(sorted(("NFKB3" + suffix, "p65" + suffix)))
        assert values["ensembl_ids"] == ("ENSG00000173039" + suffix,)
        assert values["omim_ids"] == ("164014",)  # OMIM entries are shared between copies
        # the page's own symbol in that copy, as bench/scale_corpus.py renames it
        assert scale_corpus.rename({"symbol": "RELA"}, copy)["symbol"] == values["symbol"]


def test_the_real_file_is_copied_byte_for_byte_first(tmp_path: Path) -> None:
    source = make_orgdb(tmp_path / "real.sqlite", GENES)
    target = tmp_path / "x1.sqlite"
    scale_annotations.write_scaled(source, target, ["300001"], 1)
    assert target.read_bytes() == source.read_bytes()
