// The page's ortholog table rows, kept as written (the evidence for ORTHOLOG_OF). The page's
// old rows were deleted in this transaction.
// $rows: [{gene_key, props}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
CREATE (g)-[:HAS_ORTHOLOG_ROW]->(r:OrthologRow)
SET r = row.props
