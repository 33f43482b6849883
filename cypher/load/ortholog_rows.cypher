// The page's ortholog table rows, kept as written (the evidence for ORTHOLOG_OF).
// $rows: [{gene_key, key, props}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MERGE (r:OrthologRow {key: row.key})
SET r = row.props
MERGE (g)-[:HAS_ORTHOLOG_ROW]->(r)
