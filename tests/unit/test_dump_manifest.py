"""The dump artefact's checks that need no server: manifest, versions, size and checksum.

(The integration tests in tests/integration/test_dump_load.py run the same refusals through
the CLI against a real database and check it is left intact.)
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from pipeline.servers import dump
from pipeline.settings import get_settings
from tests.tarfiles import write_tar


def _manifest(body: bytes, **changes: Any) -> dict[str, Any]:
    return {
        "format": dump.FORMAT, "chickgraph_version": dump.chickgraph_version(),
        "neo4j_version": "Neo4j/" + get_settings().neo4j.local.version, "database": "neo4j",
        "created_at": "2026-12-01T22:00:00+00:00",
        "last_run": {"run_id": "r", "source": "/corpus", "commit": None, "finished_at": "x"},
        "vocabulary_fingerprint": "f", "nodes": 3, "relationships": 2,
        "labels": {"Page": 1}, "types": {"DESCRIBES": 1},
        "dump_file": "neo4j.dump", "dump_bytes": len(body),
        "dump_sha256": hashlib.sha256(body).hexdigest(), **changes,
    }


def _artefact(tmp_path: Path, body: bytes = b"dump bytes", **changes: Any) -> Path:
    manifest = json.dumps(_manifest(body, **changes)).encode()
    return write_tar(tmp_path / "a.tar", {"manifest.json": manifest, "neo4j.dump": body})


def test_a_good_manifest_is_read_and_accepted(tmp_path: Path) -> None:
    path = _artefact(tmp_path)
    manifest = dump.read_manifest(path)
    dump.check_compatible(path, manifest, get_settings())
    assert manifest.last_run is not None and manifest.last_run.source == "/corpus"
    out = tmp_path / "out"
    out.mkdir()
    assert dump._extract_dump(path, manifest, out).read_bytes() == b"dump bytes"


@pytest.mark.parametrize(("members", "message"), [
    (None, "not a readable tar"),
    ({"neo4j.dump": b"x"}, "no manifest.json first"),
    ({"manifest.json": b"{not json"}, "manifest.json: not valid JSON"),
    ({"manifest.json": b'{"format": "other/9"}'}, "manifest.json: format: 'other/9'"),
    ({"manifest.json": b'{"format": "chickgraph-dump/1"}'},
     "manifest.json: chickgraph_version: Field required"),
])
def test_foreign_files_are_refused_in_one_line(tmp_path: Path, members: Any,
                                               message: str) -> None:
    path = tmp_path / "f.tar"
    if members is None:
        path.write_bytes(os.urandom(5000))
    else:
        write_tar(path, members)
    with pytest.raises(dump.DumpError, match=message) as caught:
        dump.read_manifest(path)
    assert str(path) in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("field", "value"), [("chickgraph_version", "0.0.1"),
                                              ("neo4j_version", "Neo4j/5.25.1"),
                                              ("neo4j_version", "Neo4j/4.4.40")])
def test_other_versions_are_refused(tmp_path: Path, field: str, value: str) -> None:
    path = _artefact(tmp_path, **{field: value})
    manifest = dump.read_manifest(path)
    with pytest.raises(dump.DumpError, match=f"manifest.json: {field}: .*{value.split('/')[-1]}"):
        dump.check_compatible(path, manifest, get_settings())


def test_a_truncated_or_altered_dump_is_refused(tmp_path: Path) -> None:
    good = _artefact(tmp_path, body=b"x" * 100_000)
    data = good.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[:60_000])
    manifest = dump.read_manifest(cut)  # the manifest itself survived the cut
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(dump.DumpError, match="truncated or damaged"):
        dump._extract_dump(cut, manifest, out)
    altered = write_tar(tmp_path / "alt.tar", {
        "manifest.json": json.dumps(_manifest(b"x" * 100_000)).encode(),
        "neo4j.dump": b"y" * 100_000})
    with pytest.raises(dump.DumpError, match="truncated or damaged"):
        dump._extract_dump(altered, dump.read_manifest(altered), out)
