"""The human annotation database (org.Hs.eg.db) for N copies of the release, as
`bench/scale_corpus.py` makes them: the enrichment the ortholog-consistency query needs.

Without an applied enrichment the named query `ortholog-consistency` answers nothing, and
until 2026-12-06 the bench timed it so, at 1x and at 25x: a p95 that said nothing. The bench
now applies the real database at 1x and this scaled one at Nx, so the query answers on data.

Copy 0 is the real database, byte for byte (obtained once with `chickgraph enrich human
--fetch-only` into a folder of the bench's own). Copy c >= 1 of every human gene that the
real pages name in an ortholog row gets the ids and names the scaler gives that row in copy
c: gene id + c * 10^9, symbol and aliases with the suffix `_c<c>`, Ensembl ids with it too;
the name and the OMIM ids are kept (OMIM entries are shared, as in reality). So a copy's
chick gene and its human ortholog agree or disagree exactly as in copy 0, and at 25x the
query walks 25x the annotated genes.

    python -m bench.scale_annotations 25     -> the scaled .sqlite (prints the path)
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

from bench.common import CURRENT, REPO, bench_env
from bench.scale_corpus import OFFSET, _suffix, build

VERSION = "1"  # bump when the copying changes: cached files are rebuilt
HUMAN = 9606
SOURCE_DIR = REPO / ".local" / "enrich-source"  # the real database, obtained once
FILE = "org.Hs.eg.sqlite"
# the tables the enrichment statements read (config/enrichment.yaml), keyed by genes._id, and
# what a copy does to their values; the only names formatted into SQL below (SQLite takes no
# parameters for names), values are always parameters
_LINKED = (("alias", "alias_symbol", "suffix"), ("ensembl", "ensembl_id", "suffix"),
           ("omim", "omim_id", "keep"))


class Unavailable(Exception):
    """The real database cannot be obtained here (no apt-get, no network to Debian)."""


def source_database() -> Path:
    """The real org.Hs.eg.db, obtained with the pipeline's own command into SOURCE_DIR
    (`apt-get download`, once; later runs find the cached copy)."""
    path = SOURCE_DIR / "org.Hs.eg.db" / FILE
    env = bench_env(CHICKGRAPH_ENRICH_DIR=str(SOURCE_DIR))
    run = subprocess.run([sys.executable, "-m", "pipeline", "enrich", "human", "--fetch-only"],
                         env=env, capture_output=True, text=True, check=False)
    if run.returncode != 0 or not path.is_file():
        raise Unavailable(f"cannot obtain org.Hs.eg.db: {run.stderr.strip()[-500:]}")
    return path


def human_ortholog_ids(pages: Path = CURRENT) -> list[str]:
    """The NCBI ids of the human genes the real pages' ortholog rows name, as the pipeline
    reads them (its own parse and transform: the genes `chickgraph enrich` targets)."""
    import hashlib

    from pipeline.extract.pages import discover, raw_page
    from pipeline.ingest.chunks import vocabularies
    from pipeline.transform.records import transform

    ids: set[str] = set()
    for path in discover(pages):
        data = path.read_bytes()
        raw = raw_page(path.name, data, hashlib.sha256(data).hexdigest())
        record = raw if not hasattr(raw, "front_matter") else transform(raw, vocabularies())
        for row in getattr(record, "orthologs", ()):
            ids.update(name.gene.ncbi_id for name in row.names  # digits: what the scaler offsets
                       if (name.gene.ncbi_id or "").isdigit()
                       and name.gene.species.taxon_id == HUMAN)
    return sorted(ids, key=int)


def scaled(factor: int) -> Path:
    """The database for `factor` copies: the real one at 1x, else a copy beside the scaled
    release (`x<factor>/annotations/`), cached until VERSION or the real file changes."""
    source = source_database()
    if factor == 1:
        return source
    folder = build(factor) / "annotations"
    target, marker = folder / FILE, folder / ".complete"
    stamp = f"{VERSION} {factor} {source.stat().st_size} {source.stat().st_mtime_ns}\n"
    if marker.exists() and marker.read_text() == stamp and target.exists():
        return target
    folder.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    write_scaled(source, target, human_ortholog_ids(), factor)
    marker.write_text(stamp)
    return target


def write_scaled(source: Path, target: Path, gene_ids: list[str], factor: int) -> None:
    """`target`: `source` byte for byte, plus copies 1..factor-1 of the genes `gene_ids`
    (those of them the database knows). Written beside, then renamed into place."""
    partial = target.with_name(target.name + ".partial")
    shutil.copyfile(source, partial)
    with closing(sqlite3.connect(partial)) as conn, conn:
        _add_copies(conn, gene_ids, factor)
    partial.replace(target)


def _add_copies(conn: sqlite3.Connection, gene_ids: list[str], factor: int) -> None:
    wanted = set(gene_ids)
    genes = [(i, g) for i, g in conn.execute("SELECT _id, gene_id FROM genes") if g in wanted]
    info = {i: (n, s) for i, n, s in conn.execute("SELECT _id, gene_name, symbol FROM gene_info")}
    linked = {table: _by_id(conn, table, column) for table, column, _ in _LINKED}
    next_id = conn.execute("SELECT max(_id) FROM genes").fetchone()[0] + 1
    for copy in range(1, factor):
        for old_id, gene_id in genes:
            new_id, next_id = next_id, next_id + 1
            conn.execute("INSERT INTO genes (_id, gene_id) VALUES (?, ?)",
                         (new_id, str(int(gene_id) + copy * OFFSET)))
            if old_id in info:
                name, symbol = info[old_id]
                conn.execute("INSERT INTO gene_info (_id, gene_name, symbol) VALUES (?, ?, ?)",
                             (new_id, name, _suffix(symbol, copy)))
            for table, column, how in _LINKED:
                conn.executemany(
                    f"INSERT INTO {table} (_id, {column}) VALUES (?, ?)",
                    [(new_id, _suffix(v, copy) if how == "suffix" else v)
                     for v in linked[table].get(old_id, ())])


def _by_id(conn: sqlite3.Connection, table: str, column: str) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for gene, value in conn.execute(f"SELECT _id, {column} FROM {table}"):
        out.setdefault(gene, []).append(value)
    return out


def main() -> None:
    for arg in sys.argv[1:] or ["1"]:
        print(scaled(int(arg)))


if __name__ == "__main__":
    main()
