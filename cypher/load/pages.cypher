// Written last in the page's transaction: the Page with its content hash, so a hash in the
// graph always means the page's data is committed.
// $rows: [{gene_key, props}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MERGE (p:Page {path: row.props.path})
SET p = row.props
MERGE (p)-[:DESCRIBES]->(g)
