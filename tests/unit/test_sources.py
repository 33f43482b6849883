"""Named sources: folders, and git repositories cloned then pulled (a real local repo)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.errors import SourceError, SourceUnavailable
from pipeline.extract.sources import DEFAULT, checkout
from pipeline.settings import Settings, load_settings
from tests.conftest import FIXTURES, REPO


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_repo(path: Path) -> Path:
    (path / "content" / "genes").mkdir(parents=True)
    for page in sorted((FIXTURES / "sync").glob("*.md")):
        shutil.copy(page, path / "content" / "genes" / page.name)
    git(path, "init", "-q", "-b", "main")
    git(path, "-c", "user.email=t@example.org", "-c", "user.name=t", "add", ".")
    git(path, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qm", "A")
    return path


def settings_for(tmp_path: Path, url: str, subdir: str = "content/genes") -> Settings:
    config = tmp_path / "config" / "chickgraph.yaml"
    config.parent.mkdir()
    config.write_text(
        f"cache_dir: {tmp_path / 'cache'}\n"
        f"ingest: {{source: {FIXTURES / 'sync'}}}\n"
        f"sources:\n  repo: {{kind: git, url: '{url}', branch: main, subdir: {subdir}}}\n",
        encoding="utf-8")
    return load_settings(config, environ={})


def test_git_source_is_cloned_then_pulled(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "upstream")
    settings = settings_for(tmp_path, str(repo))
    first = checkout(settings, "repo")
    assert first.commit == git(repo, "rev-parse", "HEAD")
    assert sorted(p.name for p in first.folder.glob("*.md")) == [
        "GENEA.md", "GENEB.md", "GENEC.md"]
    (repo / "content" / "genes" / "GENEC.md").unlink()
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qam", "B")
    second = checkout(settings, "repo")
    assert second.commit == git(repo, "rev-parse", "HEAD") != first.commit
    assert sorted(p.name for p in second.folder.glob("*.md")) == ["GENEA.md", "GENEB.md"]


def test_folder_source_and_errors(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, str(tmp_path / "missing"))
    default = checkout(settings, DEFAULT)
    assert default.folder == FIXTURES / "sync" and default.commit is None
    with pytest.raises(SourceError, match="no source named 'nope'"):
        checkout(settings, "nope")
    with pytest.raises(SourceError, match="git clone failed"):
        checkout(settings, "repo")


def test_missing_subfolder_is_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "upstream")
    settings = settings_for(tmp_path, str(repo), subdir="content/nothing-here")
    with pytest.raises(SourceError, match="no folder 'content/nothing-here'"):
        checkout(settings, "repo")


def test_repo_config_names_the_chickybase_repository() -> None:
    settings = load_settings(REPO / "config" / "chickgraph.yaml", environ={})
    source = settings.sources["chickybase"]
    assert source.kind == "git" and source.subdir == "content/genes"


def test_git_release_reads_pages_and_data_from_one_commit(tmp_path: Path) -> None:
    from pipeline.extract import release

    repo = tmp_path / "upstream"
    (repo / "data").mkdir(parents=True)
    (repo / "data" / "papers.json").write_text("[]", encoding="utf-8")
    make_repo(repo)
    settings = settings_for(tmp_path, str(repo))  # subdir content/genes, as configured today
    first = checkout(settings, "repo")
    layout = release.locate(first.folder)
    assert layout.pages.name == "genes" and layout.pages.parent.name == "content"
    assert sorted(p.name for p in layout.pages.glob("*.md")) == [
        "GENEA.md", "GENEB.md", "GENEC.md"]
    before = release.read_data_files(layout)["data/papers.json"].content
    (repo / "data" / "papers.json").write_text('[{"citation": "A 2001", "pmid": "1"}]',
                                              encoding="utf-8")
    git(repo, "-c", "user.email=t@example.org", "-c", "user.name=t", "commit", "-qam", "B")
    second = checkout(settings, "repo")
    assert second.commit == git(repo, "rev-parse", "HEAD") != first.commit
    after = release.read_data_files(release.locate(second.folder))["data/papers.json"].content
    assert before == b"[]" and b"A 2001" in after


class _Failed:
    """A task's final state, as the retry condition sees it: `result()` raises."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc

    def result(self) -> None:
        raise self.exc


def _clone_error(tmp_path: Path, url: str) -> SourceError:
    tmp_path.mkdir(exist_ok=True)
    with pytest.raises(SourceError) as failed:
        checkout(settings_for(tmp_path, url), "repo")
    assert not (tmp_path / "cache" / "repo").exists()  # nothing half-made for the retry
    return failed.value


def test_a_remote_not_reached_is_retried_one_that_says_no_is_not(tmp_path: Path) -> None:
    """The flow's task retries a transient failure (pipeline/load/retry.py): a git remote
    that refused the connection is one; a URL that is not a repository is a setting to fix."""
    from pipeline.load.retry import is_transient
    from tests.conftest import free_port

    refused = _clone_error(tmp_path / "a", f"http://127.0.0.1:{free_port()}/pages.git")
    assert isinstance(refused, SourceUnavailable), refused
    assert str(refused).startswith("git clone failed: ") and "127.0.0.1" in str(refused)
    assert is_transient(None, None, _Failed(refused))

    wrong = _clone_error(tmp_path / "b", str(tmp_path / "no-such-repository"))
    assert not isinstance(wrong, SourceUnavailable), wrong
    assert "git clone failed: " in str(wrong)
    assert not is_transient(None, None, _Failed(wrong))


def test_git_that_does_not_finish_in_time_is_retried_from_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Killed at the timeout, git leaves its clone half-made: it is removed, so the retry
    clones again instead of fetching into it."""
    from pipeline.extract import sources

    repo = make_repo(tmp_path / "upstream")
    monkeypatch.setattr(sources, "GIT_TIMEOUT_S", 0.001)
    timed_out = _clone_error(tmp_path, str(repo))
    assert isinstance(timed_out, SourceUnavailable)
    assert str(timed_out) == "git clone did not finish within 0.001 s"
