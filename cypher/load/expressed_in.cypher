// Gene -> structure, one edge per stage: "expressed in X between A and B" is an index range
// on stage_ordinal; `site` (structure key @ stage key, indexed) finds every gene sharing a
// (structure, stage) pair in one seek. image_count says how many of the gene's images show it.
// $rows: [{gene_key, edges: [{structure_key, stage_key, site, stage_ordinal, image_count}]}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
WITH g, row
UNWIND row.edges AS edge
MATCH (a:AnatomicalStructure {key: edge.structure_key})
CREATE (g)-[e:EXPRESSED_IN {stage_key: edge.stage_key, site: edge.site,
                            image_count: edge.image_count}]->(a)
SET e.stage_ordinal = edge.stage_ordinal
