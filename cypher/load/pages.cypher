// Written last in the page's transaction: the Page with its content hash, so a hash in the
// graph always means the page's data is committed.
// $rows: [{gene_key, props}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MERGE (p:Page {path: row.props.path})
SET p = row.props
MERGE (p)-[:DESCRIBES]->(g)
