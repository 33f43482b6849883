"""Where pages come from: a folder, or a git repository cloned/pulled at every run.

The git CLI does the work (it is on every machine this runs on, and handles auth, proxies
and local paths the way users expect); the commit id is recorded on the run.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import SourceError, SourceUnavailable
from pipeline.extract import release
from pipeline.settings import FolderSource, GitSource, Settings

DEFAULT = "default"


@dataclass(frozen=True)
class Checkout:
    """A source made available as a folder of pages, at a known commit if it is git."""

    name: str
    folder: Path
    commit: str | None


def named_source(settings: Settings, name: str) -> FolderSource | GitSource:
    if name == DEFAULT:
        return FolderSource(path=settings.ingest.source)
    try:
        return settings.sources[name]
    except KeyError:
        known = ", ".join([DEFAULT, *sorted(settings.sources)])
        raise SourceError(f"no source named {name!r} in config (known: {known})") from None


# What git says when the remote was not reached (the network, DNS, a proxy, a server that
# hung up), as opposed to one that answered no (a wrong URL, a missing branch, bad auth)
_UNREACHED = re.compile(
    r"could not resolve (host|proxy)|connection (timed out|refused|reset)|failed to connect"
    r"|network is unreachable|remote end hung up unexpectedly|early eof"
    r"|operation timed out|temporary failure in name resolution", re.IGNORECASE)
GIT_TIMEOUT_S = 900


def _git(*args: str, cwd: Path | None = None) -> str:
    """Run git; its last line of error becomes a SourceError, and SourceUnavailable (retried
    by the flow's task) when the remote was not reached or git did not finish in time."""
    try:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                                timeout=GIT_TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        raise SourceError("git is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise SourceUnavailable(f"git {args[0]} did not finish within {GIT_TIMEOUT_S} s") from exc
    if result.returncode != 0:
        output = (result.stderr or result.stdout).strip()
        lines = output.splitlines()
        message = f"git {args[0]} failed: {lines[-1] if lines else result.returncode}"
        raise (SourceUnavailable if _UNREACHED.search(output) else SourceError)(message)
    return result.stdout.strip()


def _cache_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)


def checkout(settings: Settings, name: str) -> Checkout:
    """Clone (first time) or fetch + check out the branch tip; return the folder to load
    (the repository root when it is a release with data/, else the pages folder)."""
    source = named_source(settings, name)
    if isinstance(source, FolderSource):
        return Checkout(name, source.path, None)
    repo = settings.cache_dir / _cache_name(name)
    if not (repo / ".git").exists():
        repo.parent.mkdir(parents=True, exist_ok=True)
        try:
            _git("clone", "--quiet", "--branch", source.branch, "--single-branch", source.url,
                 str(repo))
        except SourceUnavailable:
            # git removes a clone that failed, not one it was killed in (the timeout): a
            # half-made .git would send the retry down the fetch path
            shutil.rmtree(repo, ignore_errors=True)
            raise
    else:
        _git("remote", "set-url", "origin", source.url, cwd=repo)
        _git("fetch", "--quiet", "origin", source.branch, cwd=repo)
        _git("checkout", "--quiet", "--force", "--detach", "FETCH_HEAD", cwd=repo)
    commit = _git("rev-parse", "HEAD", cwd=repo)
    folder = repo / source.subdir if source.subdir else repo
    if not folder.is_dir():
        raise SourceError(f"source {name!r}: no folder {source.subdir!r} at commit {commit[:12]}")
    # A release repository (content/genes/ + data/): its pages and data files are read from
    # this one checkout, so both come from the same commit.
    layout = release.locate(repo)
    if layout.pages == folder and layout.data is not None and layout.data.is_dir():
        folder = repo
    return Checkout(name, folder, commit)
