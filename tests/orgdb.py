"""Small SQLite files shaped like Bioconductor's org.Hs.eg.db (the tables the enrichment
reads), made by the tests themselves: the enrichment code runs on them exactly as on the
340 MB original, which the real-database tests use where it can be obtained."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

SCHEMA = """
CREATE TABLE metadata (name VARCHAR(80) PRIMARY KEY, value VARCHAR(255));
CREATE TABLE genes (_id INTEGER PRIMARY KEY, gene_id VARCHAR(10) NOT NULL UNIQUE);
CREATE TABLE gene_info (_id INTEGER NOT NULL UNIQUE, gene_name VARCHAR(255) NOT NULL,
                        symbol VARCHAR(80) NOT NULL);
CREATE TABLE alias (_id INTEGER NOT NULL, alias_symbol VARCHAR(80) NOT NULL);
CREATE TABLE ensembl (_id INTEGER NOT NULL, ensembl_id VARCHAR(20) NOT NULL);
CREATE TABLE omim (_id INTEGER NOT NULL, omim_id CHAR(6) NOT NULL);
"""


@dataclass
class Gene:
    symbol: str
    name: str
    aliases: list[str] = field(default_factory=list)
    ensembl: list[str] = field(default_factory=list)
    omim: list[str] = field(default_factory=list)


def make_orgdb(path: Path, genes: dict[str, Gene], taxon: str = "9606",
               source_date: str = "2022-Sep12") -> Path:
    """Write the file; like the original, `alias` lists each gene's own symbol too."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.executescript(SCHEMA)
        conn.executemany("INSERT INTO metadata VALUES (?, ?)", [
            ("TAXID", taxon), ("EGSOURCEDATE", source_date), ("EGSOURCENAME", "Entrez Gene")])
        for row_id, (gene_id, gene) in enumerate(sorted(genes.items()), start=1):
            conn.execute("INSERT INTO genes VALUES (?, ?)", (row_id, gene_id))
            conn.execute("INSERT INTO gene_info VALUES (?, ?, ?)", (row_id, gene.name, gene.symbol))
            for alias in [gene.symbol, *gene.aliases]:
                conn.execute("INSERT INTO alias VALUES (?, ?)", (row_id, alias))
            for ensembl in gene.ensembl:
                conn.execute("INSERT INTO ensembl VALUES (?, ?)", (row_id, ensembl))
            for omim in gene.omim:
                conn.execute("INSERT INTO omim VALUES (?, ?)", (row_id, omim))
    return path
