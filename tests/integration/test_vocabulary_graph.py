"""Curated stages and anatomy in the loaded graph, and `chickgraph vocab check`."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from pipeline.load import db
from pipeline.transform.vocab.anatomy import load_anatomy, split_location
from tests.conftest import CURRENT, FIXTURES, PREVIOUS, needs_corpus
from tests.integration.test_cli import cli

pytestmark = pytest.mark.integration


def rows(driver: Any, settings: Any, query: str, **params: Any) -> list[dict[str, Any]]:
    return db.run_read(driver, settings, query, params)


@pytest.mark.slow
def test_no_structures_differ_only_by_case_or_misspelling(
    current_graph: Any, settings: Any
) -> None:
    names = [r["name"] for r in rows(current_graph, settings,
                                     "MATCH (a:AnatomicalStructure) RETURN a.name AS name")]
    folded = [n.casefold() for n in names]
    assert len(folded) == len(set(folded))
    assert not [n for n in names if "placcode" in n.casefold()]
    assert "testes" not in folded
    uncurated = rows(current_graph, settings,
                     "MATCH (a:AnatomicalStructure) WHERE NOT a.curated RETURN a.key AS k")
    assert uncurated == []


@pytest.mark.slow
def test_stages_form_one_next_chain(current_graph: Any, settings: Any) -> None:
    chain = rows(current_graph, settings,
                 "MATCH p = (a:DevelopmentalStage {key: 'EGK-I'})-[:NEXT*]->"
                 "(b:DevelopmentalStage {key: 'HH46'}) "
                 "RETURN [n IN nodes(p) | n.key] AS keys, [n IN nodes(p) | n.ordinal] AS ords")
    assert len(chain) == 1
    keys, ords = chain[0]["keys"], chain[0]["ords"]
    assert len(keys) == 60 and keys[13] == "EGK-XIV" and keys[14] == "HH1"
    assert ords == sorted(ords)
    hh10 = rows(current_graph, settings,
                "MATCH (s:DevelopmentalStage {key: 'HH10'}) RETURN s.ggaldv_id AS id")
    assert hh10[0]["id"].startswith("GgalDv:")
    sub = rows(current_graph, settings,
               "MATCH (s:DevelopmentalStage {key: 'HH8+'})-[:SUBSTAGE_OF]->(p) "
               "RETURN p.key AS parent, s.ordinal AS o")
    assert sub == [{"parent": "HH8", "o": 22.5}]


@pytest.mark.slow
def test_unresolved_stage_labels_are_explicit_buckets(current_graph: Any, settings: Any) -> None:
    buckets = {r["key"]: r for r in rows(
        current_graph, settings,
        "MATCH (s:DevelopmentalStage) WHERE s.status = 'unresolved' "
        "RETURN s.key AS key, s.reason AS reason, s.other_species AS sp")}
    assert buckets["unresolved:typo:stage 1419"]["reason"] == "typo"
    assert buckets["unresolved:other_species:24 hpf"]["sp"] == "Danio rerio"
    assert "unresolved:unknown:unknown" in buckets


@pytest.mark.slow
def test_brain_including_parts_is_union_of_parts(current_graph: Any, settings: Any) -> None:
    """Expected set from the YAML pages and the vocabulary; the graph answers via PART_OF."""
    anatomy = load_anatomy()
    parts = anatomy.descendants("brain")
    assert {"forebrain", "midbrain", "hindbrain", "telencephalon", "diencephalon"} <= parts
    expected = set()
    for path in CURRENT.glob("*.md"):
        fm = yaml.load(path.read_text(encoding="utf-8").split("---", 2)[1],
                       Loader=yaml.CSafeLoader)
        for image in fm.get("images") or []:
            if any(anatomy.resolve(t).key in parts for t in split_location(image["location"])):
                expected.add(fm["symbol"])
    got = {r["s"] for r in rows(
        current_graph, settings,
        "MATCH (:AnatomicalStructure {key: 'brain'})<-[:PART_OF*0..]-(a:AnatomicalStructure)"
        "<-[:EXPRESSED_IN]-(g:Gene) RETURN DISTINCT g.symbol AS s")}
    assert got == expected and len(expected) > 500


@needs_corpus
@pytest.mark.parametrize("corpus", [CURRENT, PREVIOUS], ids=["2025-11-29", "2025-11-24"])
def test_vocab_check_maps_every_label_of_both_releases(corpus: Any) -> None:
    result = cli("vocab", "check", str(corpus), "--json")
    assert result.returncode == 0, result.stderr[-500:]
    report = json.loads(result.stdout)
    assert report["unmapped"] == []
    by_label = {(r["kind"], r["label"]): r for r in report["rows"]}
    assert by_label[("location", "Ear/Otic Placcode")]["maps_to"] == "otic-placode"
    assert by_label[("stage", "stage XII")]["maps_to"] == "EGK-XII"


def test_vocab_check_fails_on_a_new_label() -> None:
    result = cli("vocab", "check", str(FIXTURES / "vocab_new_label"))
    assert result.returncode == 1
    assert "Zona Incognita Placcode" in result.stderr
    assert "Hamburger stage twelve-ish" in result.stderr
