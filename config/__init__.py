"""Default config and vocabularies, shipped as `pipeline.resources.config` (see setup.py)."""
