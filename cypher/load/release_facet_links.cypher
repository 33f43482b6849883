// Chicken genes -> their facets. $rows: [{facet_key, gene_keys}], one row per facet with its
// genes' keys (a row per link was 274k dicts at 25x: pipeline/transform/facets.py).
UNWIND $rows AS row
MATCH (f:Facet {key: row.facet_key})
UNWIND row.gene_keys AS gene_key
MATCH (g:Gene {key: gene_key})
CREATE (g)-[:IN_FACET]->(f)
