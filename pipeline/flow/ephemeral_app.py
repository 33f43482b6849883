"""What `ephemeral_api` serves under uvicorn: Prefect's server app, built as Prefect builds it
for its own temporary API (ephemeral: no UI, the ephemeral set of services)."""

from __future__ import annotations

from typing import Any


def create_app() -> Any:
    from prefect.server.api.server import create_app as prefect_app

    return prefect_app(ephemeral=True, final=True)
