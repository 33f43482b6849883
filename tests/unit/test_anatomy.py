"""Anatomy vocabulary: synonyms, hierarchy, validation, and coverage of the real corpora."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.transform.vocab.anatomy import AnatomyVocabulary, load_anatomy, split_location
from pipeline.transform.vocab.report import unmapped, vocab_report
from pipeline.transform.vocab.stages import load_stage_table

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
RELEASES = ("chickybase-2025-11-29", "chickybase-2025-11-24")


@pytest.fixture(scope="module")
def vocab() -> AnatomyVocabulary:
    return load_anatomy()


# ------------------------------------------------------------------ synonyms


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["Ear/Otic Placode", "Ear/Otic Placcode", "ear/otic placode"], "otic-placode"),
        (["Nasal Placode/Nerve", "Nasal Placcode/Nerve"], "nasal-placode"),
        (["Placode", "Placcode"], "placode"),
        (["Testes", "Testis"], "testis"),
        (
            ["Extraembryonic Mesoderm", "extraembryonic mesoderm", " EXTRAEMBRYONIC  mesoderm "],
            "extraembryonic-mesoderm",
        ),
        (["Cranial Ganglia", "Cranial Ganglion"], "cranial-ganglia"),
        (["Isthmus", "Isthmus/MHB"], "isthmus"),
        (["Midbrain", "Mesencephalon"], "midbrain"),
        (["Kohler's Sickle", "Koller's Sickle"], "kollers-sickle"),
        (["Yolk Sack or Stalk", "Yolk Sac or Stalk"], "yolk-sac-or-stalk"),
    ],
)
def test_variants_map_to_one_key(vocab: AnatomyVocabulary, spellings: list[str], key: str) -> None:
    assert {vocab.resolve(spelling).key for spelling in spellings} == {key}


def test_resolution_carries_label_name_and_kind(vocab: AnatomyVocabulary) -> None:
    resolution = vocab.resolve("  Ear/Otic Placcode ")
    assert resolution.label == "Ear/Otic Placcode"
    assert resolution.name == "Ear/Otic Placode"
    assert resolution.kind == "structure"


def test_distinct_structures_stay_distinct(vocab: AnatomyVocabulary) -> None:
    pairs = [
        ("Germ Cells/PGCs", "Primordial Germ Cells"),
        ("Ubiquitous", "Widespread Expression"),
        ("Limb Buds", "Limb Mesoderm"),
        ("Wing AER", "Leg AER"),
        ("Gut", "Foregut"),
        ("Placode", "Ear/Otic Placode"),
        ("Unlabeled", "Unlabeled Embryonic"),
    ]
    for left, right in pairs:
        assert vocab.resolve(left).key != vocab.resolve(right).key, (left, right)


def test_unknown_term_is_unmapped_not_dropped(vocab: AnatomyVocabulary) -> None:
    resolution = vocab.resolve("  Left  Wing  Tip ")
    assert resolution.kind == "unmapped"
    assert resolution.key == "unmapped:left wing tip"
    assert resolution.name == "Left  Wing  Tip"
    assert resolution.label == "Left  Wing  Tip"


@pytest.mark.parametrize(
    "label",
    [
        "Widespread Expression",
        "Ubiquitous",
        "Ubiquitous Embryonic",
        "Ubiquitous Extraembryonic",
        "Unlabeled",
        "Unlabeled Embryonic",
        "Unlabeled Extraembryonic",
        "Not specified",
        "early",
        "Twins",
        "Early Embryo",
    ],
)
def test_non_structures_are_typed(vocab: AnatomyVocabulary, label: str) -> None:
    resolution = vocab.resolve(label)
    assert resolution.kind == "non_structure"
    term = vocab.get(resolution.key)
    assert term is not None and term.part_of == () and term.uberon_id is None


def test_no_structure_rolls_up_into_a_non_structure(vocab: AnatomyVocabulary) -> None:
    kinds = {term.key: term.kind for term in vocab.terms}
    for term in vocab.terms:
        assert all(kinds[parent] == "structure" for parent in term.part_of), term.key


# ------------------------------------------------------------------ hierarchy


def test_brain_descendants(vocab: AnatomyVocabulary) -> None:
    brain = vocab.descendants("brain")
    for key in [
        "brain",
        "forebrain",
        "midbrain",
        "hindbrain",
        "telencephalon",
        "diencephalon",
        "metencephalon",
        "myelencephalon",
        "hypothalamus",
        "rhombomeres",
        "isthmus",
        "pineal-gland",
    ]:
        assert key in brain, key
    assert vocab.resolve("Mesencephalon").key in brain
    assert "spinal-cord" not in brain
    assert brain <= vocab.descendants("central-nervous-system")
    assert "spinal-cord" in vocab.descendants("central-nervous-system")


def test_heart_parts_roll_up_to_heart_and_cardiovascular(vocab: AnatomyVocabulary) -> None:
    heart = vocab.descendants("heart")
    for label in [
        "Ventricles",
        "Atria",
        "Outflow Tract",
        "Sinus Venosus",
        "Valves",
        "Endocardium",
        "Myocardium",
        "Epicardium",
        "Heart Tube",
        "Proepicardium",
        "Anterior/Second Heart Field",
    ]:
        assert vocab.resolve(label).key in heart, label
    assert heart <= vocab.descendants("cardiovascular-system")
    assert "aorta" in vocab.descendants("cardiovascular-system")


def test_somite_derivatives_roll_up_to_mesoderm(vocab: AnatomyVocabulary) -> None:
    for key in ["sclerotome", "dermomyotome", "myotome", "dermatome"]:
        assert {"somites", "paraxial-mesoderm", "mesoderm"} <= vocab.ancestors(key), key


def test_other_systems_roll_up(vocab: AnatomyVocabulary) -> None:
    expectations = {
        "gut": [
            "Foregut",
            "Midgut",
            "Hindgut",
            "Esophagus",
            "Stomach",
            "Gizzard",
            "Duodenum",
            "Liver",
            "Pancreas",
            "Anterior Intestinal Portal",
            "Pharynx",
            "Oral Pharynx",
        ],
        "endoderm": ["Gut", "Early Endoderm", "extraembryonic endoderm"],
        "limb": ["Wing", "Leg", "Limb Buds", "Wing AER", "Leg Mesenchyme", "Wing Bones", "ZPA"],
        "eye": ["Retina", "Lens"],
        "renal-system": [
            "Mesonephros",
            "Metanephros",
            "Pronephros",
            "Nephric Ducts",
            "Nephric Tubules",
            "Glomeruli",
        ],
        "extraembryonic": [
            "Amnion",
            "Allantois",
            "Yolk Sack or Stalk",
            "Area Opaca",
            "extraembryonic ectoderm",
            "Extraembryonic Blood Vessels",
        ],
        "gonad": ["Ovary", "Testes"],
        "peripheral-nervous-system": [
            "Cranial Ganglion",
            "Cranial Nerve",
            "Spinal Ganglia and Nerves",
        ],
    }
    for parent, labels in expectations.items():
        below = vocab.descendants(parent)
        for label in labels:
            assert vocab.resolve(label).key in below, (parent, label)


def test_descendants_and_ancestors_are_inverse(vocab: AnatomyVocabulary) -> None:
    for term in vocab.terms:
        for ancestor in vocab.ancestors(term.key):
            assert term.key in vocab.descendants(ancestor)
    assert vocab.descendants("myotome") == frozenset({"myotome"})


def test_hierarchy_methods_reject_unknown_keys(vocab: AnatomyVocabulary) -> None:
    with pytest.raises(ValueError, match="unknown anatomy key"):
        vocab.descendants("Brain")
    with pytest.raises(ValueError, match="unknown anatomy key"):
        vocab.ancestors("unmapped:foo")


def test_key_for_accepts_keys_names_and_synonyms(vocab: AnatomyVocabulary) -> None:
    assert vocab.key_for("otic-placode") == "otic-placode"
    assert vocab.key_for("EAR/OTIC PLACCODE") == "otic-placode"
    assert vocab.key_for("brain") == "brain"
    assert vocab.key_for("Testes") == "testis"


def test_key_for_suggests_close_matches(vocab: AnatomyVocabulary) -> None:
    with pytest.raises(ValueError, match="close matches") as raised:
        vocab.key_for("Hindbrian")
    assert "hindbrain" in str(raised.value)
    with pytest.raises(ValueError, match="no close matches"):
        vocab.key_for("zzzzzzzzzzzz")


# ------------------------------------------------------------------ file-level checks


def test_keys_are_unique_slugs_and_not_case_duplicates(vocab: AnatomyVocabulary) -> None:
    keys = [term.key for term in vocab.terms]
    assert len(keys) == len(set(keys))
    assert len({key.casefold() for key in keys}) == len(keys)
    structure_names = [term.name.casefold() for term in vocab.terms if term.kind == "structure"]
    assert len(structure_names) == len(set(structure_names))


def test_vocabulary_has_version_and_is_cached(vocab: AnatomyVocabulary) -> None:
    assert vocab.version
    assert load_anatomy() is vocab


def test_uberon_ids_are_well_formed_and_unique(vocab: AnatomyVocabulary) -> None:
    ids = [term.uberon_id for term in vocab.terms if term.uberon_id is not None]
    assert len(ids) == len(set(ids))
    assert all(uid.startswith("UBERON:") and len(uid) == 14 for uid in ids)


# ------------------------------------------------------------------ split_location


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, []),
        ("", []),
        ("   ", []),
        (",,", []),
        ("Heart", ["Heart"]),
        ("Diencephalon, Nasal Placode/Nerve", ["Diencephalon", "Nasal Placode/Nerve"]),
        (" Heart ,Heart,  , Lung ", ["Heart", "Heart", "Lung"]),
        ("Pharyngeal Arches and Clefts", ["Pharyngeal Arches and Clefts"]),
    ],
)
def test_split_location(raw: str | None, expected: list[str]) -> None:
    assert split_location(raw) == expected


# ------------------------------------------------------------------ validation on load


def _term(
    key: str,
    *,
    synonyms: tuple[str, ...] = (),
    part_of: tuple[str, ...] = (),
    kind: str = "structure",
) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.title(),
        "kind": kind,
        "synonyms": list(synonyms),
        "part_of": list(part_of),
        "uberon_id": None,
    }


def _write(tmp_path: Path, terms: list[dict[str, Any]]) -> Path:
    path = tmp_path / "anatomy.yaml"
    path.write_text(yaml.safe_dump({"version": "t", "terms": terms}), encoding="utf-8")
    return path


def test_load_rejects_unknown_parent(tmp_path: Path) -> None:
    path = _write(tmp_path, [_term("heart", part_of=("cardiovascular",))])
    with pytest.raises(ValueError, match=r"'heart'.*'part_of'.*'cardiovascular'"):
        load_anatomy(path)


def test_load_rejects_cycles(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [_term("a", part_of=("b",)), _term("b", part_of=("c",)), _term("c", part_of=("a",))],
    )
    with pytest.raises(ValueError, match=r"'part_of' forms a cycle"):
        load_anatomy(path)


def test_load_rejects_a_synonym_claimed_by_two_terms(tmp_path: Path) -> None:
    path = _write(
        tmp_path, [_term("testis", synonyms=("Testes",)), _term("ovary", synonyms=("testes",))]
    )
    with pytest.raises(ValueError, match=r"'ovary'.*'synonyms'.*'testis'"):
        load_anatomy(path)


def test_load_rejects_duplicate_keys(tmp_path: Path) -> None:
    path = _write(tmp_path, [_term("heart"), _term("heart")])
    with pytest.raises(ValueError, match=r"'heart'.*'key'"):
        load_anatomy(path)


def test_load_rejects_bad_kind_naming_the_term(tmp_path: Path) -> None:
    path = _write(tmp_path, [_term("heart", kind="organ")])
    with pytest.raises(ValueError, match=r"'heart'.*kind"):
        load_anatomy(path)


def test_load_rejects_a_key_that_is_not_a_slug(tmp_path: Path) -> None:
    path = _write(tmp_path, [_term("Heart Tube")])
    with pytest.raises(ValueError, match=r"'Heart Tube'.*'key'"):
        load_anatomy(path)


def test_small_valid_file_loads(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _term("heart", synonyms=("Heart",)),
            _term("atria", synonyms=("Atrium",), part_of=("heart",)),
        ],
    )
    vocab = load_anatomy(path)
    assert vocab.descendants("heart") == {"heart", "atria"}
    assert vocab.resolve("atrium").key == "atria"


# ------------------------------------------------------------------ the real corpora


def _read_front_matter(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    parts = path.read_text(encoding="utf-8").split("---", 2)
    data = yaml.load(parts[1], Loader=loader) if len(parts) == 3 else None
    return data if isinstance(data, dict) else {}


@pytest.fixture(scope="module")
def corpus_labels() -> tuple[Counter[str], Counter[str]]:
    """(stage label counts, location term counts) over both releases."""
    folders = [CORPUS / release / "genes" for release in RELEASES]
    if not all(folder.is_dir() for folder in folders):
        pytest.skip(f"real corpus not found under {CORPUS} (expected {', '.join(RELEASES)})")
    stages: Counter[str] = Counter()
    locations: Counter[str] = Counter()
    for folder in folders:
        for page in sorted(folder.glob("*.md")):
            for image in _read_front_matter(page).get("images") or []:
                stages[str(image.get("stage") or "")] += 1
                locations.update(split_location(image.get("location")))
    return stages, locations


@pytest.mark.slow
def test_every_corpus_location_term_is_mapped(
    vocab: AnatomyVocabulary, corpus_labels: tuple[Counter[str], Counter[str]]
) -> None:
    _stages, locations = corpus_labels
    assert len(locations) > 100
    missing = sorted(label for label in locations if vocab.resolve(label).kind == "unmapped")
    assert missing == []


@pytest.mark.slow
def test_every_corpus_location_term_is_a_listed_synonym(
    vocab: AnatomyVocabulary, corpus_labels: tuple[Counter[str], Counter[str]]
) -> None:
    """Spellings seen in the corpus are written down as synonyms, not matched by accident."""
    _stages, locations = corpus_labels
    listed = {" ".join(s.split()).casefold() for term in vocab.terms for s in term.synonyms}
    missing = sorted(
        label for label in locations if " ".join(label.split()).casefold() not in listed
    )
    assert missing == []


@pytest.mark.slow
def test_every_corpus_stage_label_is_mapped(
    corpus_labels: tuple[Counter[str], Counter[str]],
) -> None:
    stages, _locations = corpus_labels
    table = load_stage_table()
    reasons = {label: table.resolve(label).reason for label in stages}
    assert [label for label, reason in reasons.items() if reason == "unparsed"] == []
    assert reasons.get("stage 10") is None and reasons.get("stage XII") is None


@pytest.mark.slow
def test_corpus_report_has_nothing_to_curate(
    vocab: AnatomyVocabulary, corpus_labels: tuple[Counter[str], Counter[str]]
) -> None:
    stages, locations = corpus_labels
    rows = vocab_report(stages, locations, load_stage_table(), vocab)
    assert len(rows) == len(stages) + len(locations)
    assert unmapped(rows) == []


# ------------------------------------------------------------------ report


def test_vocab_report_rows_and_order(vocab: AnatomyVocabulary) -> None:
    rows = vocab_report(
        {"stage 10": 5, "HH8+": 2, "24 hpf": 2, "": 9, "weird": 1},
        {"Testes": 3, "Testis": 7, "Ubiquitous": 3, "Left Wing Tip": 1},
        load_stage_table(),
        vocab,
    )
    assert [(row.kind, row.label) for row in rows] == [
        ("location", "Testis"),
        ("location", "Testes"),
        ("location", "Ubiquitous"),
        ("location", "Left Wing Tip"),
        ("stage", ""),
        ("stage", "stage 10"),
        ("stage", "24 hpf"),
        ("stage", "HH8+"),
        ("stage", "weird"),
    ]
    by_label = {(row.kind, row.label): row for row in rows}
    assert by_label[("location", "Testes")].maps_to == "testis"
    assert by_label[("location", "Testes")].status == "structure"
    assert by_label[("location", "Ubiquitous")].status == "non_structure"
    assert by_label[("stage", "stage 10")].status == "resolved"
    assert by_label[("stage", "HH8+")].status == "substage"
    assert by_label[("stage", "24 hpf")].status == "unresolved:other_species"
    assert by_label[("stage", "")].maps_to == "unresolved:empty:"


def test_unmapped_lists_only_what_needs_curation(vocab: AnatomyVocabulary) -> None:
    rows = vocab_report(
        {"stage 10": 5, "unknown": 4, "stage 1419": 2, "24 hpf": 1, "": 1, "weird": 1},
        {"Heart": 3, "Twins": 1, "Left Wing Tip": 1},
        load_stage_table(),
        vocab,
    )
    assert [(row.kind, row.label, row.maps_to) for row in unmapped(rows)] == [
        ("location", "Left Wing Tip", "unmapped:left wing tip"),
        ("stage", "weird", "unresolved:unparsed:weird"),
    ]
