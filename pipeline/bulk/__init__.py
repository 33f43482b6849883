"""Bulk first load: the ingest core's rows as CSV for `neo4j-admin database import`."""
