"""Curated vocabularies: stage labels and anatomy terms -> stable keys (config/*.yaml)."""
