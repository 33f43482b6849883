// Images (the evidence) with their stage, source and location mentions, in one pass: the
// page's old images were deleted in this transaction, so CREATE (the key constraint still
// guards uniqueness) and no second lookup of each image for its mentions.
//
// The chunk's genes, stages, structures and sources are found once each, by key, and each row
// names them by position in those lists (pipeline/load/rows.py: statement_params): a seek per
// image and per mention (~260k at 1x) cost a tenth of the load's write time. Each node is
// collected inside a one-element list, so a key that found nothing keeps its place and fails
// the CREATE instead of shifting the nodes after it.
// $rows: [{gene, stage, source | null, props, shows: [{structure, position, label}]}]
// $genes, $stages, $structures, $sources: the keys those positions index
CALL { UNWIND $genes AS key OPTIONAL MATCH (g:Gene {key: key}) RETURN collect([g]) AS genes }
CALL { UNWIND $stages AS key OPTIONAL MATCH (s:DevelopmentalStage {key: key})
       RETURN collect([s]) AS stages }
CALL { UNWIND $structures AS key OPTIONAL MATCH (a:AnatomicalStructure {key: key})
       RETURN collect([a]) AS structures }
CALL { UNWIND $sources AS key
       MERGE (s:Source {key: key})
       ON CREATE SET s.name = key
       RETURN collect([s]) AS sources }
UNWIND $rows AS row
WITH row, genes[row.gene][0] AS g, stages[row.stage][0] AS st, sources, structures
CREATE (g)-[:HAS_IMAGE]->(i:Image)
SET i = row.props
CREATE (i)-[:AT_STAGE]->(st)
FOREACH (s IN CASE WHEN row.source IS NULL THEN [] ELSE sources[row.source] END |
  CREATE (i)-[:FROM_SOURCE]->(s)
)
WITH i, row, structures
UNWIND row.shows AS show
WITH i, show, structures[show.structure][0] AS a
CREATE (i)-[:SHOWS {position: show.position, label: show.label}]->(a)
