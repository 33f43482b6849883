// Genes named by ortholog rows (shared between pages: identity properties only), the row's
// NAMES edge, and the derived (chicken)-[:ORTHOLOG_OF]->(ortholog) edge.
// $rows: [{gene_key, row_key, row_position, gene: {key, ...}, species: {...}, edge: {...}}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MATCH (r:OrthologRow {key: row.row_key})
MERGE (o:Gene {key: row.gene.key})
ON CREATE SET o = row.gene
MERGE (s:Species {key: row.species.key})
ON CREATE SET s = row.species
MERGE (o)-[:IN_SPECIES]->(s)
CREATE (r)-[n:NAMES]->(o)
SET n = row.edge
MERGE (g)-[e:ORTHOLOG_OF]->(o)
SET e.rows = coalesce(e.rows, []) + row.row_position
