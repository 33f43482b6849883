// Papers cited by a page: node by PMID (or DOI), what the page says of it on the edge.
// `+=`: the page's identity properties are a function of the key; papers.json may have
// created the node first (and adds its own properties, see release_publications).
// $rows: [{gene_key, key, node, edge}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MERGE (p:Publication {key: row.key})
SET p += row.node
CREATE (g)-[c:CITES]->(p)
SET c = row.edge
