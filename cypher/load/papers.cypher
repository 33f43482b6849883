// Papers cited by a page: node by PMID (or DOI), what the page says of it on the edge.
// $rows: [{gene_key, key, node, edge}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MERGE (p:Publication {key: row.key})
ON CREATE SET p = row.node
CREATE (g)-[c:CITES]->(p)
SET c = row.edge
