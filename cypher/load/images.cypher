// Images (the evidence) with their stage, source and location mentions, in one pass: the
// page's old images were deleted in this transaction, so CREATE (the key constraint still
// guards uniqueness) and no second lookup of each image for its mentions.
//
// The chunk's genes, stages, structures and sources are found once each, by key, and each row
// names them by position in those lists (pipeline/load/rows.py: statement_params): a seek per
// image and per mention (~260k at 1x) cost a tenth of the load's write time. The lists are
// collected in the order of their keys (ORDER BY the key's index: collect keeps the order it
// is given, a plain UNWIND + MATCH promises none), each node inside a one-element list, so a
// key that found nothing keeps its place and fails the CREATE instead of shifting the rest.
// $rows: [{gene, stage, source | null, props, shows: [{structure, position, label}]}]
// $genes, $stages, $structures, $sources: the keys those positions index
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
CALL { UNWIND range(0, size($genes) - 1) AS n
       OPTIONAL MATCH (g:Gene {key: $genes[n]})
       WITH n, g ORDER BY n
       RETURN collect([g]) AS genes }
CALL { UNWIND range(0, size($stages) - 1) AS n
       OPTIONAL MATCH (s:DevelopmentalStage {key: $stages[n]})
       WITH n, s ORDER BY n
       RETURN collect([s]) AS stages }
CALL { UNWIND range(0, size($structures) - 1) AS n
       OPTIONAL MATCH (a:AnatomicalStructure {key: $structures[n]})
       WITH n, a ORDER BY n
       RETURN collect([a]) AS structures }
CALL { UNWIND range(0, size($sources) - 1) AS n
       MERGE (s:Source {key: $sources[n]})
       ON CREATE SET s.name = $sources[n]
       WITH n, s ORDER BY n
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
