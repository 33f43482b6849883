// The page's own sources (GEISHA, NCBI Gene...): node by name, the page's URL on the edge.
// $rows: [{gene_key, key, node, edge}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MERGE (s:Source {key: row.key})
ON CREATE SET s = row.node
CREATE (g)-[d:DESCRIBED_BY]->(s)
SET d = row.edge
