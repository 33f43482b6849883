"""The bulk path (`bench/bulk.py`, neo4j-admin import) builds exactly the graph of the flow.

Bulk import stops and starts the server it loads, so these tests never use the session's
shared test server: they run on a private one (its own home `<test home>-bulk`, a free
port, a smaller page cache), started and stopped here. The flow is pointed at it by switching the
process settings for the duration of one call.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bench import bulk
from pipeline.ingest.summary import IngestSummary
from pipeline.load import db
from pipeline.queries import graph_dump
from pipeline.servers import neo4j_server
from pipeline.settings import Settings, get_settings
from tests.conftest import CURRENT, FIXTURES, free_port, needs_corpus, reference_dump, with_local

pytestmark = pytest.mark.integration

SYNC = FIXTURES / "sync"


@pytest.fixture(scope="module")
def private(settings: Settings) -> Iterator[Settings]:
    """A Neo4j server of this module's own (never the session's shared one)."""
    if settings.neo4j.external:
        pytest.skip("bulk import needs the project's local server (NEO4J_URI is set)")
    local = settings.neo4j.local
    home = local.home.with_name(local.home.name + "-bulk")
    # beside the session's server (4g + 4g): a second one need not be as big
    mine = with_local(settings, home=home, bolt_port=free_port(), pagecache="1g", heap="2g")
    assert mine.neo4j.local.home != local.home
    assert mine.neo4j.local.bolt_port != local.bolt_port
    neo4j_server.stop(mine)  # a server left by an interrupted run listens on another port
    neo4j_server.start(mine, echo=lambda _m: None)
    yield mine
    neo4j_server.stop(mine)


@contextmanager
def process_settings(mine: Settings) -> Iterator[None]:
    """Point `get_settings()` (what the flow's tasks read) at the private server."""
    names = {"CHICKGRAPH_BOLT_PORT": str(mine.neo4j.local.bolt_port),
             "CHICKGRAPH_NEO4J_HOME": str(mine.neo4j.local.home)}
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(names)
    get_settings.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        get_settings.cache_clear()


def wipe(mine: Settings) -> None:
    with db.connect(mine) as driver:
        graph_dump.wipe(driver, mine)


def dump(mine: Settings) -> graph_dump.GraphDump:
    with db.connect(mine) as driver:
        return graph_dump.dump(driver, mine)


def flow_then_bulk(mine: Settings, folder: Path) -> tuple[IngestSummary, IngestSummary]:
    """Load `folder` with the flow and, from empty again, with bulk; the dumps must match."""
    from pipeline.flow.flows import ingest_flow

    wipe(mine)
    with process_settings(mine):
        by_flow = ingest_flow(str(folder))
    flow_graph = dump(mine)
    wipe(mine)
    by_bulk = bulk.bulk_ingest(folder, mine)
    bulk_graph = dump(mine)
    assert flow_graph == bulk_graph, flow_graph.difference(bulk_graph)
    assert by_bulk.nodes == by_flow.nodes
    assert by_bulk.relationships == by_flow.relationships
    for name in ("pages_seen", "pages_loaded", "pages_failed", "full_reload"):
        assert getattr(by_bulk, name) == getattr(by_flow, name), name
    assert [e.model_dump() for e in by_bulk.errors] == [e.model_dump() for e in by_flow.errors]
    return by_flow, by_bulk


MESSY = '''---
symbol: "MESSY"
title: 'He said "hi", then; left'
name: "line one\\nline two\\r\\nline three, with a comma"
species: Gallus gallus
gene_id: '4242'
gene_type: ''
aliases:
- ''
forward_primer: ' padded  '
reverse_primer: 'back\\\\slash and \\"escaped\\" quote'
template_length: '0042'
draft: false
date: 2021-03-04
external_ids:
  Only null: null
extra_top: {"nested": [1, 2.5, "x;y"]}
Biological\u00a0Process:  nbsp key
sources:
- name: '  Spaced Source  '
  type: null
  url: ''
- name: GEISHA
papers:
- title: A "quoted", multi-line
    title
  pubmed_id: '12345'
  authors: null
- title: no ids at all
images:
- image_url: https://example.org/messy_0.jpg
  caption: "semi;colon, comma \\"quote\\" and\\nnewline"
  location: Heart, Made-up Structure; Forebrain
  source: '  Odd Source '
  stage: HH8+
- image_url: https://example.org/messy_1.jpg
  location: ''
  stage: 24 hpf
  source: ''
  thumbnail_url: null
  unknown_image_key: [a, b]
- image_url: https://example.org/messy_2.jpg
  stage: null
  location: null
orthologs:
- species: Human
  entrez: '5001'
  ensembl: ENSG00000000001
  mod: MIM:100001
  phenotypes: ''
  symbol: ''
- species: Martian
  entrez: ''
  ensembl: ''
  mod: ''
  symbol: ZORG1
- species: Xenopus
  entrez: 7001,,7003
  ensembl: ENSXETG1,ENSXETG3
  mod: 'x;1,x;3'
  phenotypes: 'p1,p2'
- species: Xenopus
  entrez: '7001'
  symbol: sym "a"
---

# MESSY
'''

SECOND_DATE = '''---
symbol: DATED
species: Gallus gallus
gene_id: '4343'
date: 2021-03-04T05:06:07
draft: true
external_ids: {}
orthologs:
- species: Human
  entrez: '5001'
  ensembl: ENSG00000000009
  symbol: HUMAN1
---
'''

LOSER = '''---
symbol: MESSY-DUPLICATE
species: Gallus gallus
gene_id: '4242'
---
'''

BROKEN = '''---
symbol: [not, a, string]
---
'''


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    folder = tmp_path / "messy"
    shutil.copytree(SYNC, folder)
    (folder / "MESSY.md").write_text(MESSY, encoding="utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "DATED.md").write_text(SECOND_DATE, encoding="utf-8")
    (folder / "zz-loser.md").write_text(LOSER, encoding="utf-8")
    (folder / "BROKEN.md").write_text(BROKEN, encoding="utf-8")
    return folder


def test_bulk_equals_flow_on_messy_pages(private: Settings, prefect_harness: None,
                                         messy: Path) -> None:
    """The sync fixture's pages plus quotes, commas, semicolons, newlines, [] and [''], '' vs
    null, dates, two types for one property, unknown keys and species, sub-stages, unmapped
    terms, a losing and a broken page: the same graph either way. (One folder, one import:
    each bulk import restarts the server, ~40 s of CI.)"""
    _, by_bulk = flow_then_bulk(private, messy)
    assert by_bulk.pages_loaded == 5 and by_bulk.pages_failed == 2
    assert by_bulk.status == "completed"
    with db.connect(private) as driver:
        gene = db.run_read(driver, private, "MATCH (g:Gene {symbol: 'MESSY'}) RETURN "
                           "properties(g) AS p")[0]["p"]
        runs = db.run_read(driver, private, "MATCH (r:IngestRun {run_id: $id}) RETURN r.loader "
                           "AS loader, r.pages_loaded AS pages", {"id": by_bulk.run_id})
        markers = db.run_read(driver, private, "MATCH (n) WHERE any(l IN labels(n) WHERE l "
                              "STARTS WITH 'ChickGraphBulkFix') RETURN count(n) AS n")
    assert gene["aliases"] == [""] and gene["external_id_urls"] == [""]
    assert gene["name"] == "line one\nline two\r\nline three, with a comma"
    assert gene["template_length"] == 42
    assert runs == [{"loader": "bulk", "pages": 5}]
    assert markers == [{"n": 0}]


def test_bulk_refuses_a_database_that_is_not_empty(private: Settings) -> None:
    wipe(private)
    with db.connect(private) as driver:
        db.run_write(driver, private, "CREATE (:Page {path: 'x.md'})")
    pid = neo4j_server.running_pid(private)
    with pytest.raises(bulk.BulkError, match="not empty"):
        bulk.bulk_ingest(SYNC, private)
    assert neo4j_server.running_pid(private) == pid  # refused before stopping anything
    assert dump(private).nodes  # and nothing was imported


def test_bulk_refuses_an_external_server(settings: Settings) -> None:
    external = settings.model_copy(update={"neo4j": settings.neo4j.model_copy(
        update={"uri": "bolt://127.0.0.1:1"})})
    with pytest.raises(bulk.BulkError, match="NEO4J_URI"):
        bulk.bulk_ingest(SYNC, external)


@pytest.mark.slow
@needs_corpus
def test_bulk_equals_flow_on_real_corpus(private: Settings, driver: Any, settings: Settings,
                                        prefect_harness: None) -> None:
    """The flow's side is the session's reference load of the corpus (on the shared server:
    the graph dump does not depend on the server)."""
    by_flow = reference_dump(driver, settings, CURRENT)
    wipe(private)
    by_bulk = bulk.bulk_ingest(CURRENT, private)
    bulk_graph = dump(private)
    assert bulk_graph == by_flow, bulk_graph.difference(by_flow)
    assert (by_bulk.pages_seen, by_bulk.pages_loaded, by_bulk.pages_failed) == (2730, 2730, 0)
    assert by_bulk.full_reload  # an empty database is loaded whole, as by the flow
