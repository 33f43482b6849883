"""Which failures are worth a retry: the database's or the network's (ConnectionError: a git
remote not reached, `SourceUnavailable`), not our bugs or a wrong setting."""

from __future__ import annotations

from typing import Any

from neo4j.exceptions import ServiceUnavailable, SessionExpired, TransientError

from pipeline.errors import Neo4jUnavailable

TRANSIENT = (ServiceUnavailable, SessionExpired, TransientError, Neo4jUnavailable,
             ConnectionError, TimeoutError)
RETRY_DELAYS = [2, 10, 30]


def is_transient(_task: Any, _task_run: Any, state: Any) -> bool:
    """Prefect `retry_condition_fn`: retry only when Neo4j or a git remote went away, or Neo4j
    asked us to."""
    try:
        state.result()
    except TRANSIENT:
        return True
    except Exception:
        return False
    return False
