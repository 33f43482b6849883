// Images (the evidence), their stage and position on the page.
// $rows: [{gene_key, key, props, stage_key}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MATCH (st:DevelopmentalStage {key: row.stage_key})
MERGE (i:Image {key: row.key})
SET i = row.props
CREATE (g)-[:HAS_IMAGE]->(i)
CREATE (i)-[:AT_STAGE]->(st)
