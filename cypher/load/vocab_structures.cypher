// Curated anatomy terms (config/anatomy.yaml): one node per canonical structure.
// $rows: [{props: {key, name, kind, synonyms, uberon_id, curated}}]
UNWIND $rows AS row
MERGE (a:AnatomicalStructure {key: row.props.key})
SET a = row.props
