// Anatomy terms met in pages. Curated ones already exist (vocab step); unmapped ones are
// created here with curated = false and reported by `chickgraph vocab check`.
// $rows: [{key, props}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MERGE (a:AnatomicalStructure {key: row.key})
ON CREATE SET a = row.props
