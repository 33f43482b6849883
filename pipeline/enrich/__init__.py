"""Enrichment: curated annotation databases that name ortholog genes (optional, explicit).

`table` reads config/enrichment.yaml (one entry per database: data, not code), `obtain` gets
a database into the state folder, `annotations` reads it and shapes Gene property rows, and
`apply` writes them with sync semantics and runs the ortholog consistency report.
"""
