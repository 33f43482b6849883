// Chicken gene -> its facets. $rows: [{gene_key, facet_key}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MATCH (f:Facet {key: row.facet_key})
CREATE (g)-[:IN_FACET]->(f)
