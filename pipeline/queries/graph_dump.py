"""A canonical, run-independent picture of the graph, for comparing two loads.

Run-specific values live only in properties named `*_at` or `run_id` and on IngestRun nodes;
dropping those, two loads of the same release must give equal dumps.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from neo4j import Driver

from pipeline.load import cypher_files, db
from pipeline.settings import Settings

# One encoder for every property map: `json.dumps` with options builds a new JSONEncoder per
# call. The whole corpus has 481,000 maps, a third of them empty: 2.7 s of strings -> 1.4 s.
_encode = json.JSONEncoder(sort_keys=True, default=str, check_circular=False).encode


# The keys a property map of this shape drops (`*_at`, `run_id`), by its tuple of keys: the
# corpus has 480,000 maps of a few dozen shapes, and testing every key of every map took a
# third of the time spent building a dump.
_dropped: dict[tuple[str, ...], frozenset[str]] = {}


def _stable(props: dict[str, Any]) -> str:
    if not props:
        return "{}"
    keys = tuple(props)
    drop = _dropped.get(keys)
    if drop is None:
        drop = _dropped[keys] = frozenset(k for k in keys if k.endswith("_at") or k == "run_id")
    if drop:
        props = {k: v for k, v in props.items() if k not in drop}
    return _encode(props)


@dataclass(frozen=True)
class GraphDump:
    nodes: Counter[tuple[str, str]]
    relationships: Counter[tuple[str, str, str, str]]

    def difference(self, other: GraphDump, limit: int = 10) -> str:
        """A short human-readable diff, for assertion messages."""
        lines = []
        for name, mine, theirs in (("node", self.nodes, other.nodes),
                                   ("relationship", self.relationships, other.relationships)):
            only_mine = list((mine - theirs).elements())[:limit]
            only_theirs = list((theirs - mine).elements())[:limit]
            lines += [f"{name} only in first: {x}" for x in only_mine]
            lines += [f"{name} only in second: {x}" for x in only_theirs]
        return "\n".join(lines)


def _end(labels: list[str], identity: Any) -> str:
    """A relationship end as the dumps have always named it: sorted labels, then identity."""
    return str([*sorted(labels), identity])


def dump(driver: Driver, settings: Settings) -> GraphDump:
    nodes = db.stream_read(driver, settings, cypher_files.load("admin/dump_nodes"))
    rels = db.stream_read(driver, settings, cypher_files.load("admin/dump_relationships"))
    return GraphDump(
        nodes=Counter((":".join(sorted(labels)), _stable(props))
                      for labels, of_labels in nodes for props in of_labels),
        relationships=Counter(_relationships(rels)),
    )


def _relationships(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[str, str, str, str]]:
    """Each relationship as (start, type, end, properties), each end named (`_end`) once per
    node: 400,000 relationships reach a few thousand distinct end nodes."""
    names: dict[tuple[Any, ...], str] = {}

    def name(labels: list[str], identity: Any) -> str:
        key = (identity, *labels)
        try:
            known = names.get(key)
        except TypeError:  # an identity that is a list: named each time
            return _end(labels, identity)
        if known is None:
            known = names[key] = _end(labels, identity)
        return known

    for start_labels, start, outgoing in rows:
        start_name = name(start_labels, start)
        for kind, end_labels, end, props in outgoing:
            yield start_name, kind, name(end_labels, end), _stable(props)


def wipe(driver: Driver, settings: Settings) -> None:
    """Empty the database (schema kept). Auto-commit: CALL IN TRANSACTIONS needs it."""
    with driver.session(database=settings.neo4j.database) as session:
        for statement in cypher_files.statements("admin/wipe"):
            session.run(statement).consume()  # type: ignore[arg-type]
