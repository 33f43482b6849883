// Chick genes expressed in a structure (optionally with its parts) within a stage range
// whose orthologs carry an OMIM entry (any, or one MIM id) or, given `process`, a zebrafish
// process term containing that text: "which chick heart genes at HH10-20 have a
// disease-linked human ortholog?" Give mim_id or process, not both.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10...)
// @param to_stage: stage = null last stage of the range
// @param mim_id: mim_id = null only this OMIM entry (MIM:613287 or 613287)
// @param process: string = null zebrafish process terms containing this text (case-insensitive), e.g. heart
// @param limit: int = 100 at most this many rows, most images first

// Genes are ranked by images first and their orthologs' phenotypes looked up in that order,
// one gene at a time, until `limit` genes have one: the planner keeps the order through the
// subquery, so the final ORDER BY costs nothing and the LIMIT stops the lookups. Looking up
// every expressed gene's orthologs and phenotypes first read 1.7M db hits at 25x (460k now).
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a  // a part reached along two part-of paths counts once
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH g, sum(e.image_count) AS images
WITH g, images, g.symbol AS symbol
ORDER BY images DESC, symbol
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)-[:HAS_PHENOTYPE]->(t)
  WHERE CASE WHEN $process IS NULL
             THEN t:OmimEntry AND ($mim_id IS NULL OR t.mim_id = $mim_id)
             ELSE t:ProcessTerm AND toLower(t.name) CONTAINS toLower($process) END
  RETURN collect(DISTINCT o.key) AS orthologs,
         collect(DISTINCT coalesce(t.mim_id, t.name)) AS phenotypes
}
WITH symbol, images, orthologs, phenotypes
WHERE size(orthologs) > 0
RETURN symbol, images, orthologs, phenotypes
ORDER BY images DESC, symbol
LIMIT $limit
