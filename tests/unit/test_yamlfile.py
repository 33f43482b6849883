"""One reader for YAML mapping files: the settings, the enrichment table and the vocabularies
report a missing file, broken YAML and a wrong top level the same way, naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.enrich.table import load_table
from pipeline.errors import ConfigError, EnrichmentError
from pipeline.settings import load_settings
from pipeline.transform.vocab.tables import read_table
from pipeline.yamlfile import read_mapping


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "file.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_mapping_is_returned_and_an_empty_file_is_empty(tmp_path: Path) -> None:
    assert read_mapping(_write(tmp_path, "a: 1\n"), what="x") == {"a": 1}
    assert read_mapping(_write(tmp_path, ""), what="x") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [(None, "cannot read thing: No such file"), ("a: [\n", "invalid YAML"),
     ("- a\n", "top level must be a mapping of things")],
)
def test_errors_name_the_file(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "missing.yaml" if text is None else _write(tmp_path, text)
    with pytest.raises(KeyError) as error:
        read_mapping(path, what="thing", error=KeyError, shape="a mapping of things")
    assert error.value.args[0].startswith(f"{path}: {message}")


@pytest.mark.parametrize("text", [None, "a: [\n", "- a\n"])
def test_every_reader_uses_it(tmp_path: Path, text: str | None) -> None:
    path = tmp_path / "missing.yaml" if text is None else _write(tmp_path, text)
    readers = [(lambda: load_settings(path, environ={}), ConfigError),
               (lambda: load_table(path), EnrichmentError),
               (lambda: read_table(path, "stages"), ValueError)]
    for read, error in readers:
        with pytest.raises(error, match=f"^{path}: "):
            read()


def test_a_vocabulary_needs_its_list(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="top level must be a mapping with a 'terms' list"):
        read_table(_write(tmp_path, "version: '1'\n"), "terms")


@pytest.mark.parametrize("name", ["chickgraph.yaml", "anatomy.yaml", "stages.yaml",
                                  "enrichment.yaml"])
def test_libyaml_reads_every_shipped_file_as_the_python_loader_does(name: str) -> None:
    """The fast loader is only a speed-up: the settings and vocabularies it builds are the
    pure-Python SafeLoader's, value for value and type for type."""
    import yaml

    from pipeline import yamlfile
    from pipeline.resources import config_file

    path = config_file(name)
    fast = read_mapping(path, what="x")
    reference = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert repr(fast) == repr(reference)
    assert yamlfile.Loader is yaml.CSafeLoader  # the dev install has libyaml (pyproject)
