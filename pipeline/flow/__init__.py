"""Orchestration: the Prefect 3 flow over chunks of pages (retries on task decorators)."""
