// Anatomy terms met in pages. Curated ones already exist (vocab step); unmapped ones are
// created here with curated = false and reported by `chickgraph vocab check`.
// $rows: [{key, props}]
UNWIND $rows AS row
MERGE (a:AnatomicalStructure {key: row.key})
ON CREATE SET a = row.props
