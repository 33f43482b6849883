"""Symbols as users type them: `Pou5f3` finds `POU5F3` (queries, export, CLI), and a symbol
that case alone cannot decide is refused with the candidates named."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest

from pipeline.queries import named, symbols
from pipeline.queries.export import export_page
from pipeline.queries.symbols import AmbiguousSymbol, matching_symbols
from tests.conftest import FIXTURES, REPO, load_fresh

pytestmark = pytest.mark.integration

CASE = FIXTURES / "case"


def test_lower_case_symbol_finds_the_page(current_graph: Any, settings: Any) -> None:
    exact = named.run_raw("orthologs", settings, symbol="ALAS2")
    assert exact, "ALAS2 has orthologs in the corpus"
    assert named.run_raw("orthologs", settings, symbol="alas2") == exact
    assert named.run_raw("gene-expression", settings, symbol="Alas2") == named.run_raw(
        "gene-expression", settings, symbol="ALAS2")
    assert export_page(current_graph, settings, symbol="Pou5f3") == export_page(
        current_graph, settings, symbol="POU5F3")
    assert named.run_raw("orthologs", settings, symbol="NO-SUCH-GENE") == []


def test_exact_symbol_with_no_rows_skips_the_case_scan(current_graph: Any, settings: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan of every page's gene runs only when no page has the exact symbol."""
    scanned: list[str] = []
    real = symbols.matching_symbols

    def counting(driver: Any, settings: Any, symbol: str) -> list[str]:
        scanned.append(symbol)
        return real(driver, settings, symbol)

    monkeypatch.setattr(symbols, "matching_symbols", counting)
    assert named.run_raw("gene-expression", settings, symbol="ALAS2", limit=0) == []
    assert scanned == []
    assert named.run_raw("gene-expression", settings, symbol="alas2", limit=0) == []
    assert scanned == ["alas2"]


def test_cli_export_and_query_ignore_case(current_graph: Any) -> None:
    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline", *args], cwd=REPO,
                              capture_output=True, text=True, timeout=120, env=os.environ.copy())

    exported = cli("export", "Pou5f3")
    assert exported.returncode == 0, exported.stderr
    assert "symbol: POU5F3" in exported.stdout
    queried = cli("query", "orthologs", "-p", "symbol=alas2", "--format", "csv")
    assert queried.returncode == 0, queried.stderr
    assert "ALAS2" in queried.stdout and "211" in queried.stdout


def test_symbols_differing_only_in_case_are_listed(driver: Any, settings: Any,
                                                   prefect_harness: None) -> None:
    load_fresh(driver, settings, CASE)
    try:
        assert matching_symbols(driver, settings, "abc1") == ["ABC1", "Abc1"]
        with pytest.raises(AmbiguousSymbol, match="ABC1, Abc1"):
            named.run_raw("orthologs", settings, symbol="abc1")
        with pytest.raises(AmbiguousSymbol, match="ABC1, Abc1"):
            export_page(driver, settings, symbol="aBc1")
        # exact symbols never ask: each page is its own
        assert {r["symbol"] for r in named.run_raw("orthologs", settings, symbol="Abc1")} == {
            "Abc1"}
        assert [p for p, _ in export_page(driver, settings, symbol="ABC1")] == ["ABC1b.md"]
        assert [r["symbol"] for r in named.run_raw("orthologs", settings, symbol="poux")] == [
            "POUX"]
    finally:
        load_fresh(driver, settings, None)
