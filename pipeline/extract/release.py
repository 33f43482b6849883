"""Where a release's pages and data files are: a release root, a corpus folder or bare pages.

A ChickyBase release is its gene pages plus the site's `data/` files (papers.json,
gene_index.json, orthologs.json). Three layouts are accepted, checked in this order:

- the site's git repository: `<root>/content/genes/*.md` and `<root>/data/*.json`;
- a corpus folder as in `../shared/corpus/<release>`: `<root>/genes/` and `<root>/data/`;
- a bare folder of pages (as before): no data files.

A bare `genes/` folder does NOT pick up a sibling `data/`: what is loaded is what was named.
Page ids stay relative to the pages folder, so a release root and its `genes/` folder give
the same pages.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SourceError

# The data files the pipeline reads; others in data/ are ignored (and not hashed).
DATA_FILES = ("papers.json", "gene_index.json", "orthologs.json")


@dataclass(frozen=True)
class ReleaseLayout:
    """The pages folder and, for a release, its data folder."""

    root: Path
    pages: Path
    data: Path | None

    @property
    def is_release(self) -> bool:
        return self.data is not None


def locate(folder: Path) -> ReleaseLayout:
    """Find the pages and data folders under `folder` (see the module docstring)."""
    for pages in (folder / "content" / "genes", folder / "genes"):
        if pages.is_dir():
            # a release without data/ has no data files: syncing to it removes theirs
            return ReleaseLayout(folder, pages, folder / "data")
    return ReleaseLayout(folder, folder, None)


@dataclass(frozen=True)
class DataFile:
    """One data file of the release: its id (`data/papers.json`), bytes and SHA-256."""

    path: str
    content: bytes
    sha256: str


def read_data_files(layout: ReleaseLayout) -> dict[str, DataFile]:
    """The release's known data files that exist, by id; a bare folder has none.

    One that exists but cannot be read stops the run: skipped, it would count as gone from
    the release, and what it contributed (papers, facets) would be removed."""
    if layout.data is None or not layout.data.is_dir():
        return {}
    found: dict[str, DataFile] = {}
    for name in DATA_FILES:
        file = layout.data / name
        if file.is_file():
            try:
                content = file.read_bytes()
            except OSError as exc:
                raise SourceError(f"{file}: cannot read this data file of the release: "
                                  f"{exc.strerror or exc}") from exc
            found[f"data/{name}"] = DataFile(f"data/{name}", content,
                                             hashlib.sha256(content).hexdigest())
    return found
