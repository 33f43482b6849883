// Which page describes which gene key: used to detect two pages claiming one gene.
MATCH (p:Page)
RETURN p.path AS path, p.gene_key AS gene_key, p.sha256 AS sha256
