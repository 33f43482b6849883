"""Chicken gene symbols as users type them: `Pou5f3` finds the page of `POU5F3`.

Exact symbols go straight to the indexed queries; only when an exact symbol finds nothing is the
case-insensitive look-up run, so the common path costs nothing extra. Where case alone does not
decide (two pages whose symbols differ only in case), the candidates are listed, never guessed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from neo4j import Driver

from pipeline.errors import ChickGraphError
from pipeline.load import cypher_files, db

if TYPE_CHECKING:  # `chickgraph query` passes the pydantic-free ConnectionSettings
    from pipeline.settings import Settings


class AmbiguousSymbol(ChickGraphError):
    """Several pages' symbols equal the given one when case is ignored."""


def matching_symbols(driver: Driver, settings: Settings, symbol: str) -> list[str]:
    """The loaded chicken symbols equal to `symbol` ignoring case, sorted."""
    rows = db.run_read(driver, settings, cypher_files.load("lookup/chick_symbols"),
                       {"symbol": symbol})
    return [row["symbol"] for row in rows]


def exact_symbol_exists(driver: Driver, settings: Settings, symbol: str) -> bool:
    """Whether a page's gene has exactly `symbol` (an index seek)."""
    rows = db.run_read(driver, settings, cypher_files.load("lookup/chick_symbol_exists"),
                       {"symbol": symbol})
    return bool(rows and rows[0]["found"])


def resolve_symbol(driver: Driver, settings: Settings, symbol: str) -> str | None:
    """The page symbol meant by `symbol` when it differs only in case; None when there is
    nothing better to try (the symbol is exact, or no page matches it in any case).

    An exact symbol is recognised by an index seek first: the case-insensitive look-up scans
    every page's gene, which at GEISHA's full size costs more than the query it follows.
    Raises AmbiguousSymbol, naming the candidates, when case does not decide.
    """
    if exact_symbol_exists(driver, settings, symbol):
        return None
    candidates = matching_symbols(driver, settings, symbol)
    if symbol in candidates or not candidates:
        return None
    if len(candidates) > 1:
        raise AmbiguousSymbol(
            f"symbol {symbol!r} matches {len(candidates)} genes when case is ignored: "
            + ", ".join(candidates) + "; give one exactly")
    return candidates[0]
