// Images (the evidence) with their stage, source and location mentions, in one pass: the
// page's old images were deleted in this transaction, so CREATE (the key constraint still
// guards uniqueness) and no second lookup of each image for its mentions.
// $rows: [{gene_key, props, stage_key, source_key | null,
//          shows: [{structure_key, position, label}]}]
UNWIND $rows AS row
MATCH (g:Gene {key: row.gene_key})
MATCH (st:DevelopmentalStage {key: row.stage_key})
CREATE (g)-[:HAS_IMAGE]->(i:Image)
SET i = row.props
CREATE (i)-[:AT_STAGE]->(st)
FOREACH (source_key IN CASE WHEN row.source_key IS NULL THEN [] ELSE [row.source_key] END |
  MERGE (s:Source {key: source_key})
  ON CREATE SET s.name = source_key
  CREATE (i)-[:FROM_SOURCE]->(s)
)
WITH i, row
UNWIND row.shows AS show
MATCH (a:AnatomicalStructure {key: show.structure_key})
CREATE (i)-[:SHOWS {position: show.position, label: show.label}]->(a)
