// Chicken genes expressed in a structure (optionally including its parts), optionally
// within a stage range; with how many images show it and the stages seen.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart, Brain
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10, EGK XII...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, most images first (interactive default: pass e.g. 10000 for all)
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a  // a part reached along two part-of paths counts once
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH g, sum(e.image_count) AS images, collect(DISTINCT e.stage_key) AS stages,
     collect(DISTINCT a.name) AS structures
RETURN g.symbol AS symbol, g.name AS name, images, structures, stages
ORDER BY images DESC, symbol
LIMIT $limit
