// Gene -> structure, one edge per stage: "expressed in X between A and B" is an index range
// on stage_ordinal. image_count says how many of the gene's images show it.
// $rows: [{gene_key, structure_key, stage_key, stage_ordinal, image_count}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MATCH (a:AnatomicalStructure {key: row.structure_key})
CREATE (g)-[e:EXPRESSED_IN {stage_key: row.stage_key, image_count: row.image_count}]->(a)
SET e.stage_ordinal = row.stage_ordinal
