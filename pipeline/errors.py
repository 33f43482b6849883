"""Typed errors, kept in one place so the CLI can turn each into a one-line message."""

from __future__ import annotations


class ChickGraphError(Exception):
    """Base: an expected failure the CLI reports in one line, without a traceback."""


class ConfigError(ChickGraphError):
    """The configuration file or environment is invalid."""


class Neo4jUnavailable(ChickGraphError):
    """The Neo4j server cannot be reached (not started, wrong port, network)."""


class Neo4jAuthFailed(ChickGraphError):
    """The Neo4j server rejected the credentials."""


class Neo4jServerError(ChickGraphError):
    """The local Neo4j server could not be installed, started or stopped."""


class ReadOnlyViolation(ChickGraphError):
    """A write was attempted in a read transaction (without --write)."""


class SourceError(ChickGraphError):
    """The source of pages (folder or git repository) is missing or unusable."""


class SourceUnavailable(SourceError, ConnectionError):
    """The git remote could not be reached, or did not answer in time: worth a retry (a
    ConnectionError, which the tasks' retry condition takes as transient), unlike a wrong
    URL or a missing branch."""


class IngestLocked(ChickGraphError):
    """Another ingestion run holds the lock on this database."""


class StrictModeFailure(ChickGraphError):
    """--strict: at least one page failed validation. Carries the run's summary (an
    IngestSummary), so that the command can list every failed page, not only the first."""

    def __init__(self, message: str, summary: object | None = None) -> None:
        super().__init__(message)
        self.summary = summary

    def __reduce__(self) -> tuple[type, tuple[str, object | None]]:
        return type(self), (str(self), self.summary)  # the summary survives a pickle


class EnrichmentError(ChickGraphError):
    """An annotation database cannot be obtained, read or applied (config/enrichment.yaml)."""


class QueryOutOfMemory(ChickGraphError):
    """A query of the user's ran out of the server's transaction memory: reported at once,
    not retried (pipeline/load/db.py: out_of_memory)."""
