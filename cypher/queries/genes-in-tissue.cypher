// Chicken genes expressed in a structure (optionally including its parts), optionally
// within a stage range; with how many images show it and the stages seen.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart, Brain
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10, EGK XII...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, most images first (interactive default: pass e.g. 10000 for all)

// The edges of every gene in range are read for its image sum, but the stages and structure
// names only for the rows kept: each gene's edges are collected as references (no property
// read) and their `stage_key` and end node read after the LIMIT. Collecting
// `DISTINCT e.stage_key` for every gene had read a text property of every edge in range:
// 1.5x the time at 25x (neural-plate-tube, 145,000 edges); the same rows, in the same order.
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a  // a part reached along two part-of paths counts once
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH g, sum(e.image_count) AS images, collect(e) AS edges
WITH g, images, edges, g.symbol AS symbol
ORDER BY images DESC, symbol
LIMIT $limit
RETURN symbol, g.name AS name, images,
       reduce(seen = [], x IN edges | CASE WHEN endNode(x).name IN seen THEN seen
                                           ELSE seen + endNode(x).name END) AS structures,
       reduce(seen = [], x IN edges | CASE WHEN x.stage_key IN seen THEN seen
                                           ELSE seen + x.stage_key END) AS stages
ORDER BY images DESC, symbol
