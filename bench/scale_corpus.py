"""N-fold synthetic copies of the real release, for scaling benchmarks. Deterministic.

The copy is a whole release, as `chickgraph ingest` reads one: `x<N>/genes/*.md` and
`x<N>/data/*.json`. The data files matter to the queries: on pages alone the facet query
has no facets to start from and answers nothing (measured at 25x until 2026-12-05: 0 rows,
1 db hit), so its timing said nothing about a 25x graph.

Copy 0 is the real release's pages, byte for byte. Copy c >= 1 of `ALAS2.md` is
`ALAS2_c<c>.md`, with every identifier renamed so that keys stay unique and nothing is shared
between copies that the real corpus would not share: symbols (page and ortholog rows) get the
suffix `_c<c>`, numeric ids (gene_id, ncbi_id, cgnc_id, ortholog entrez ids, PubMed ids) are
offset by c * 10^9, Ensembl/MOD ids and DOIs get the suffix. Everything else (stages,
locations, captions, nulls, '' values, comma-joined lists, keys with non-breaking spaces,
unknown keys) is kept, so each copy has the real corpus's shape and messiness. Sources
(GEISHA, NCBI Gene...) stay shared, as in reality.

Data files: gene_index.json gets one renamed entry per page copy (symbol suffix, gene_id
offset, the same facets: "Neural" has 25x the genes at 25x). papers.json is kept as it is:
its entries are what image-source names resolve to, and those names are shared between
copies. orthologs.json is kept as it is: the pipeline records its hash but reads the pages'
ortholog tables.

    python -m bench.scale_corpus 5            -> .local/bench-corpus/x5 (prints the path)
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from bench.common import CURRENT, REPO

OFFSET = 1_000_000_000
VERSION = "2"  # bump when the renaming changes: cached folders are rebuilt
ROOT = REPO / ".local" / "bench-corpus"

_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _loader() -> type:
    from pipeline.extract.pages import PageLoader  # the pipeline's own YAML 1.2 loader

    return PageLoader


def _number(value: Any, copy: int) -> Any:
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return str(int(value.strip()) + copy * OFFSET)
    return _suffix(value, copy)


def _suffix(value: Any, copy: int) -> Any:
    if isinstance(value, str) and value.strip():
        return f"{value}_c{copy}"
    return value


def _each(value: Any, copy: int, rename: Any) -> Any:
    """Comma-joined id lists keep their shape: `1,,2` -> `1+o,,2+o`."""
    if not isinstance(value, str) or "," not in value:
        return rename(value, copy)
    return ",".join(rename(part, copy) if part.strip() else part for part in value.split(","))


def rename(front_matter: dict[str, Any], copy: int) -> dict[str, Any]:
    """The front matter of copy `copy` (>= 1) of a page."""
    fm = dict(front_matter)
    symbol = fm.get("symbol")
    if fm.get("title") == symbol:
        fm["title"] = _suffix(symbol, copy)
    fm["symbol"] = _suffix(symbol, copy)
    for key in ("gene_id", "ncbi_id", "cgnc_id"):
        if key in fm:
            fm[key] = _number(fm[key], copy)
    if isinstance(fm.get("orthologs"), list):
        rows = []
        for row in fm["orthologs"]:
            if isinstance(row, dict):
                row = dict(row)
                for key, how in (("entrez", _number), ("ensembl", _suffix), ("mod", _suffix)):
                    if key in row:
                        row[key] = _each(row[key], copy, how)
                if "symbol" in row:
                    row["symbol"] = _suffix(row["symbol"], copy)
            rows.append(row)
        fm["orthologs"] = rows
    if isinstance(fm.get("papers"), list):
        papers = []
        for paper in fm["papers"]:
            if isinstance(paper, dict):
                paper = dict(paper)
                if "pubmed_id" in paper:
                    paper["pubmed_id"] = _number(paper["pubmed_id"], copy)
                if "doi" in paper:
                    paper["doi"] = _suffix(paper["doi"], copy)
            papers.append(paper)
        fm["papers"] = papers
    return fm


_BOUNDARY = re.compile(r"^-{3,}\s*$", re.MULTILINE)  # python-frontmatter's YAML fence


def copy_page(text: str, copy: int) -> str:
    """Rewrite the front matter of one page; the body is kept as it is."""
    _, fm_text, body = _BOUNDARY.split(text.removeprefix("\ufeff"), 2)
    front_matter = yaml.load(fm_text, Loader=_loader())
    dumped = yaml.dump(rename(front_matter, copy), Dumper=_Dumper, sort_keys=False,
                       allow_unicode=True, width=100)
    return f"---\n{dumped}---{body}"


def index_entry(entry: Any, copy: int) -> Any:
    """Entry `entry` of gene_index.json, renamed as `rename` renames its page."""
    if not isinstance(entry, dict):
        return entry
    entry = dict(entry)
    if "symbol" in entry:
        entry["symbol"] = _suffix(entry["symbol"], copy)
    if "gene_id" in entry:
        entry["gene_id"] = _number(entry["gene_id"], copy)
    return entry


def copy_data(source: Path, target: Path, factor: int) -> None:
    """The release's data files for `factor` copies (see the module docstring)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(source.glob("*.json")):
        if path.name != "gene_index.json" or factor == 1:
            shutil.copyfile(path, target / path.name)
            continue
        entries = json.loads(path.read_bytes())
        scaled = list(entries) + [index_entry(entry, copy) for copy in range(1, factor)
                                  for entry in entries]
        (target / path.name).write_text(json.dumps(scaled, ensure_ascii=False),
                                        encoding="utf-8")


def build(factor: int, root: Path = ROOT, source: Path = CURRENT.parent) -> Path:
    """`root/x<factor>`: a release (`genes/`, `data/`) of `factor` copies of the release
    `source` (cached; rebuilt when VERSION changes). Its pages are `pages(folder)`."""
    folder = root / f"x{factor}"
    marker = folder / ".complete"
    pages = sorted((source / "genes").glob("*.md"))
    if marker.exists() and marker.read_text() == f"{VERSION} {len(pages)}\n":
        return folder
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "genes").mkdir(parents=True)
    for page in pages:
        shutil.copyfile(page, folder / "genes" / page.name)
    for copy in range(1, factor):
        for page in pages:
            text = page.read_text(encoding="utf-8")
            (folder / "genes" / f"{page.stem}_c{copy}.md").write_text(
                copy_page(text, copy), encoding="utf-8")
    copy_data(source / "data", folder / "data", factor)
    marker.write_text(f"{VERSION} {len(pages)}\n")
    return folder


def pages(folder: Path) -> Path:
    """The pages folder of a release `build` made."""
    return folder / "genes"


def main() -> None:
    for arg in sys.argv[1:] or ["1"]:
        print(build(int(arg)))


if __name__ == "__main__":
    main()
