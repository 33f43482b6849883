// Stage nodes met in pages but not in the curated table: sub-stages (HH8+) and the
// explicit "unresolved" buckets. Properties are a function of the key only.
// $rows: [{key, props, parent_key}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MERGE (s:DevelopmentalStage {key: row.key})
ON CREATE SET s = row.props
WITH s, row
WHERE row.parent_key IS NOT NULL
MATCH (parent:DevelopmentalStage {key: row.parent_key})
MERGE (s)-[:SUBSTAGE_OF]->(parent)
