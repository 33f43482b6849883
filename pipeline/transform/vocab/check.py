"""`chickgraph vocab check`: every stage and location label of a corpus, and what it maps to.

Runs on the raw pages (no Neo4j), so a new release with new labels is caught before it is
loaded.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from pipeline.extract.pages import PageIssue, discover, read_page
from pipeline.transform.vocab.anatomy import load_anatomy, split_location
from pipeline.transform.vocab.report import VocabRow, vocab_report
from pipeline.transform.vocab.stages import load_stage_table


def label_counts(root: Path, max_bytes: int) -> tuple[Counter[str], Counter[str], list[PageIssue]]:
    """Raw stage labels and location terms with their counts; unreadable pages listed."""
    stages: Counter[str] = Counter()
    locations: Counter[str] = Counter()
    issues: list[PageIssue] = []
    for path in discover(root):
        raw = read_page(root, path, max_bytes)
        if isinstance(raw, PageIssue):
            issues.append(raw)
            continue
        images = raw.front_matter.get("images")
        for image in images if isinstance(images, list) else []:
            if not isinstance(image, dict):
                continue
            stage = image.get("stage")
            stages[stage if isinstance(stage, str) else ""] += 1
            location = image.get("location")
            if isinstance(location, str):
                locations.update(split_location(location))
    return stages, locations, issues


def check(root: Path, max_bytes: int) -> tuple[list[VocabRow], list[PageIssue]]:
    stages, locations, issues = label_counts(root, max_bytes)
    return vocab_report(stages, locations, load_stage_table(), load_anatomy()), issues
