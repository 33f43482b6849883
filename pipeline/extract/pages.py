"""Extract: files -> raw records (path, SHA-256, raw front matter). No validation here.

A page that cannot be read becomes a `PageIssue` instead of an exception, so one bad file
never stops the run and every problem is reported with its file and field.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from sys import intern
from typing import Any, ClassVar

import yaml
from frontmatter.default_handlers import YAMLHandler

from pipeline import yamlfile
from pipeline.errors import SourceError
from pipeline.extract import compiled_yaml

MAX_ALIASES = 100  # YAML aliases per page; GEISHA pages use none, "billion laughs" uses many
MAX_EXPANDED_NODES = 200_000  # YAML nodes once aliases are expanded (a large page has ~5,000)


def _yaml12_bools(base: type) -> type:
    """The libyaml loader with YAML 1.2 booleans: only true/false, never yes/no/on/off.

    YAML 1.1 turns a key or value spelled `on`, `off`, `yes`, `no` into a bool, so what the
    page wrote would be lost; GEISHA pages only use true/false.
    """
    loader = type(f"{base.__name__}12", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers
                if tag != "tag:yaml.org,2002:bool"]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    loader.add_implicit_resolver(
        "tag:yaml.org,2002:bool",
        re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
        list("tTfF"),
    )
    return loader


class DuplicateKey(yaml.constructor.ConstructorError):
    """Two equal keys in one mapping: PyYAML would silently keep the last one."""

    def __init__(self, key: str, mark: yaml.Mark | None) -> None:
        super().__init__(None, None, f"duplicate key {key!r}", mark)
        self.key = key


def _refuse_duplicate_keys(base: type) -> type:
    """A loader whose mappings refuse repeated keys instead of losing all but the last."""

    def construct_mapping(self: Any, node: yaml.Node, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                    if key_node.value in seen:
                        raise DuplicateKey(key_node.value, key_node.start_mark)
                    seen.add(key_node.value)
        return base.construct_mapping(self, node, deep=deep)

    return type(base.__name__, (base,), {"construct_mapping": construct_mapping})


_MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
PageLoader = _refuse_duplicate_keys(_yaml12_bools(yamlfile.Loader))


class FastPageLoader(PageLoader):  # type: ignore[misc, valid-type]
    """PageLoader with the two Python hot spots of PyYAML's loader made cheap.

    libyaml parses and composes in C, but calls back into Python to resolve each scalar's
    tag and builds every object through `construct_object` (~970k calls for the corpus,
    60% of the load time). Pages are text: plain strings, lists and mappings of them. So tags
    of plain scalars are memoised by value (the result depends on nothing else), and strings,
    lists and text-keyed mappings are built by one small recursive function; anything else
    (numbers, dates, merge keys, non-text keys, explicit tags) goes to PageLoader's own
    constructor, so the result is the same object PageLoader builds (a test compares them on
    the whole corpus). Only for documents without aliases: shared nodes would be copied.
    """

    _tags: ClassVar[dict[str, str]] = {}
    _typed_starts = frozenset(first for first in PageLoader.yaml_implicit_resolvers if first)

    def __init__(self, stream: Any) -> None:
        if None in self.yaml_implicit_resolvers or self.yaml_path_resolvers:
            raise TypeError("FastPageLoader assumes no wildcard or path resolvers")
        super().__init__(stream)

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return PageLoader.resolve(self, kind, value, implicit)
        if not implicit[0] or (value and value[0] not in self._typed_starts):
            return _STR_TAG  # quoted, or a first character no implicit type starts with
        tags = self._tags
        tag = tags.get(value)
        if tag is None:
            tag = PageLoader.resolve(self, kind, value, implicit)
            if len(tags) > 100_000:
                tags.clear()
            tags[value] = tag
        return tag

    def construct_document(self, node: yaml.Node) -> Any:
        general = self.construct_object

        def build(node: yaml.Node) -> Any:
            kind, tag = node.__class__, node.tag
            if kind is yaml.ScalarNode and tag == _STR_TAG:
                return node.value
            if kind is yaml.SequenceNode and tag == _SEQ_TAG:
                return [build(item) for item in node.value]
            if kind is yaml.MappingNode and tag == _MAP_TAG:
                mapping: dict[str, Any] = {}
                for key_node, value_node in node.value:
                    if key_node.__class__ is not yaml.ScalarNode or key_node.tag != _STR_TAG:
                        return general(node, deep=True)
                    key = intern(key_node.value)  # one object per key name: cheaper to pickle
                    if key in mapping:
                        raise DuplicateKey(key, key_node.start_mark)
                    mapping[key] = build(value_node)
                return mapping
            return general(node, deep=True)

        try:
            return build(node)
        finally:
            self.constructed_objects = {}
            self.recursive_objects = {}


@dataclass(frozen=True)
class PageIssue:
    """One problem with one page: reported as file, field and a one-line reason."""

    file: str
    field: str
    message: str
    severity: str = "error"  # "error": page skipped; "warning": page loaded, value normalised

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "field": self.field, "message": self.message,
                "severity": self.severity}


@dataclass(frozen=True)
class RawPage:
    """A page as read from disk: its identity, hash and untouched front matter."""

    path: str  # relative to the source root, POSIX separators: the page's stable id
    sha256: str
    size: int
    front_matter: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    # False when the YAML text has no backslash: YAML forbids raw control characters, so then
    # no value can hold one and validation may skip scanning every string for them.
    may_hide_controls: bool = True


class _CYAMLHandler(YAMLHandler):
    """python-frontmatter's YAML handler on compiled parsers: yaml-rs where it builds the same
    objects as PageLoader (pipeline/extract/compiled_yaml.py), else libyaml (~9x PyYAML)."""

    def split(self, text: str) -> tuple[str, str]:
        """YAMLHandler.split (`FM_BOUNDARY.split(text, 2)`), without running the regex over
        every character of the front matter: after the opening match, the closing one can
        only start right after a newline with `---`, so only those places are tried, in order
        (the leftmost that matches is the one `split` finds). ~10x faster on real pages."""
        boundary = self.FM_BOUNDARY
        assert boundary is not None
        first = boundary.match(text)
        if first is None:  # not a page opening with `---`: the general case
            return super().split(text)
        start = first.end()
        at = text.find("\n---", start - 1)
        while at != -1:
            closing = boundary.match(text, at + 1)
            if closing is not None:
                return text[start:at + 1], text[closing.end():]
            at = text.find("\n---", at + 1)
        raise ValueError("front matter is not terminated")  # as YAMLHandler's unpacking does

    def load(self, fm: str, **kwargs: object) -> Any:
        if not kwargs:  # the compiled parser, where it provably builds the same objects
            value = compiled_yaml.load(fm)
            if value is not compiled_yaml.NOT_LOADED:
                return value
        # YAML aliases need PageLoader's shared objects; "*" is how every alias starts
        kwargs.setdefault("Loader", PageLoader if "*" in fm else FastPageLoader)
        return yaml.load(fm, **kwargs)


_HANDLER = _CYAMLHandler()


def discover(root: Path) -> list[Path]:
    """`*.md` below root, sorted by relative path so runs are deterministic.

    A symlinked page is read only when it points inside the source folder (`read_page_bytes`);
    a symlinked folder is not entered. A folder that cannot be listed stops the run: its
    pages would otherwise count as gone from the source, and a sync would delete them.
    """
    if not root.exists():
        raise SourceError(f"source folder {root} does not exist")
    if not root.is_dir():
        raise SourceError(f"source {root} is not a folder")
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root, onerror=_unlisted, followlinks=False):
        dirnames.sort()
        for name in filenames:
            if name.endswith(".md"):
                found.append(Path(dirpath) / name)
    found.sort(key=lambda p: p.relative_to(root).as_posix())
    return found


def _unlisted(exc: OSError) -> None:
    raise SourceError(f"{exc.filename}: cannot list this folder of the source: "
                      f"{exc.strerror or exc}") from exc


def relative_id(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def read_page(root: Path, path: Path, max_bytes: int, rel: str | None = None
              ) -> RawPage | PageIssue:
    """Read and parse one page; every way it can fail becomes a PageIssue naming the file.
    `rel`, when the caller has it, is `relative_id(root, path)` (pathlib's relative_to is not
    cheap)."""
    if rel is None:
        rel = relative_id(root, path)
    data = read_page_bytes(root, path, max_bytes, rel)
    if isinstance(data, PageIssue):
        return data
    return raw_page(rel, data, hashlib.sha256(data).hexdigest())


def read_page_bytes(root: Path, path: Path, max_bytes: int, rel: str) -> bytes | PageIssue:
    """A page's bytes, refused (as a PageIssue) when it is not a regular file in the source
    folder or is over the size limit: checked before anything is read."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            try:
                target = path.resolve(strict=True)
            except RuntimeError:  # Python 3.11 raises this for symlink loops
                return PageIssue(rel, "(file)", "symlink loop; not followed")
            except FileNotFoundError:
                return PageIssue(rel, "(file)", "dangling symlink; not followed")
            if not target.is_relative_to(root.resolve()):
                return PageIssue(rel, "(file)",
                                 f"symlink to {target} outside the source folder; not followed")
            info = target.stat()
        if not stat.S_ISREG(info.st_mode):
            return PageIssue(rel, "(file)", "not a regular file")
        if info.st_size > max_bytes:
            return PageIssue(
                rel, "(file)", f"{info.st_size} bytes is over the page size limit of {max_bytes}"
            )
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except PermissionError:
        return PageIssue(rel, "(file)", "permission denied")
    except OSError as exc:
        return PageIssue(rel, "(file)", f"cannot read: {exc.strerror or exc}")
    if len(data) > max_bytes:
        return PageIssue(rel, "(file)", f"over the page size limit of {max_bytes} bytes")
    return data


def raw_page(rel: str, data: bytes, digest: str) -> RawPage | PageIssue:
    """A page's bytes (and their SHA-256) -> RawPage, or the reason it cannot be had."""
    parsed = parse_page_bytes(rel, data)
    if isinstance(parsed, PageIssue):
        return parsed
    front_matter, body, escapes = parsed
    return RawPage(path=rel, sha256=digest, size=len(data), front_matter=front_matter, body=body,
                   may_hide_controls=escapes)


def parse_page_bytes(rel: str, data: bytes) -> tuple[dict[str, Any], str, bool] | PageIssue:
    """Bytes -> (front matter mapping, body, whether escapes could hide control characters),
    or the reason it cannot be had."""
    if not data.strip():
        return PageIssue(rel, "(file)", "empty file")
    if b"\x00" in data:
        return PageIssue(rel, "(file)", "binary content (NUL bytes), not a Markdown page")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return PageIssue(rel, "(file)", f"not UTF-8: invalid byte at offset {exc.start}")
    text = text.removeprefix("\ufeff")
    if not _HANDLER.detect(text):
        return PageIssue(rel, "(front matter)", "no YAML front matter (file must start with ---)")
    try:
        fm_text, body = _HANDLER.split(text)
    except ValueError:
        return PageIssue(rel, "(front matter)", "front matter is not terminated by a --- line")
    if "*" in fm_text and (refusal := _alias_refusal(fm_text)) is not None:
        return PageIssue(rel, "(front matter)", refusal)
    try:
        front_matter = _HANDLER.load(fm_text)
    except DuplicateKey as exc:
        line = f" at line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        return PageIssue(rel, exc.key, f"duplicate key {exc.key!r}{line}; refused rather than "
                         "keeping only the last value")
    except (ValueError, OverflowError) as exc:  # e.g. `date: 2025-13-45`
        return PageIssue(rel, "(front matter)", f"invalid YAML value: {exc}")
    except RecursionError:
        return PageIssue(rel, "(front matter)", "YAML nesting too deep")
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        # the front matter text starts with the newline of the opening `---` line
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return PageIssue(rel, "(front matter)", f"YAML error{where}: {problem}")
    if front_matter is None:
        return PageIssue(rel, "(front matter)", "front matter is empty")
    if not isinstance(front_matter, dict):
        kind = type(front_matter).__name__
        return PageIssue(rel, "(front matter)", f"front matter is a {kind}, not a mapping")
    return front_matter, body, "\\" in fm_text


def _alias_refusal(fm_text: str) -> str | None:
    """Why a page's YAML aliases are refused ("billion laughs"), or None when harmless.

    Counting alias events is cheap; for the few pages that have any, the composed node
    graph (aliases are shared nodes there, not copies) is sized as it would be expanded.
    """
    count = 0
    try:
        for event in yaml.parse(fm_text, Loader=PageLoader):
            if isinstance(event, yaml.AliasEvent):
                count += 1
                if count > MAX_ALIASES:
                    return f"more than {MAX_ALIASES} YAML aliases; refused"
        if count == 0:
            return None
        root = yaml.compose(fm_text, Loader=PageLoader)
    except yaml.YAMLError:
        return None  # the real load reports the syntax error with its position
    sizes: dict[int, int] = {}

    def expanded(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        size = 1
        if isinstance(node, yaml.SequenceNode):
            size += sum(expanded(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size += sum(expanded(k) + expanded(v) for k, v in node.value)
        sizes[id(node)] = size
        return size

    try:
        total = expanded(root) if root is not None else 0
    except RecursionError:
        return "YAML nesting too deep; refused"
    if total > MAX_EXPANDED_NODES:
        return (f"YAML aliases expand to {total:,} values (limit {MAX_EXPANDED_NODES:,}); "
                "refused")
    return None
