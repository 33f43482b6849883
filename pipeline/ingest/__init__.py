"""The ingest core, free of Prefect: chunks of pages parsed in worker processes, run summary.

The Prefect flow (`pipeline.flow`) and the bulk-import floor (`bench/bulk.py`) both build on it."""
