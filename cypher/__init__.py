"""Cypher files, shipped in the package as `pipeline.resources.cypher` (see setup.py)."""
