// Gene -> structure, one edge per stage: "expressed in X between A and B" is an index range
// on stage_ordinal; `site` (structure key @ stage key, indexed) finds every gene sharing a
// (structure, stage) pair in one seek. image_count says how many of the gene's images show it.
// Genes and structures are found once each and named by position, as in load/images.
// $rows: [{gene, edges: [{structure, stage_key, site, stage_ordinal, image_count}]}]
// $genes, $structures: the keys those positions index
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
CALL { UNWIND range(0, size($genes) - 1) AS n
       OPTIONAL MATCH (g:Gene {key: $genes[n]})
       WITH n, g ORDER BY n
       RETURN collect([g]) AS genes }
CALL { UNWIND range(0, size($structures) - 1) AS n
       OPTIONAL MATCH (a:AnatomicalStructure {key: $structures[n]})
       WITH n, a ORDER BY n
       RETURN collect([a]) AS structures }
UNWIND $rows AS row
WITH genes[row.gene][0] AS g, row, structures
UNWIND row.edges AS edge
WITH g, edge, structures[edge.structure][0] AS a
CREATE (g)-[e:EXPRESSED_IN {stage_key: edge.stage_key, site: edge.site,
                            image_count: edge.image_count}]->(a)
SET e.stage_ordinal = edge.stage_ordinal
