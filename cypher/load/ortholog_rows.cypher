// The page's ortholog table rows, kept as written (the evidence for ORTHOLOG_OF). The page's
// old rows were deleted in this transaction.
// $rows: [{gene_key, props}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
CREATE (g)-[:HAS_ORTHOLOG_ROW]->(r:OrthologRow)
SET r = row.props
