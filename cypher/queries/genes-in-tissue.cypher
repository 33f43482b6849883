// Chicken genes expressed in a structure (optionally including its parts), optionally
// within a stage range; with how many images show it, and the structures (by name) and
// stages (in stage order) it is seen at there.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart, Brain
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10, EGK XII...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, most images first (interactive default: pass e.g. 10000 for all)

// Every edge in range is counted, so the cost is in reading them: the image counts come
// from the composite index EXPRESSED_IN(site, image_count), never from the edges. An edge's
// `site` is "structure key @ stage key" and its stage a DevelopmentalStage with the edge's
// ordinal (tests/integration/test_queries.py checks both), so with a range the edges are
// exactly those at the sites "part @ stage in range", and without one those whose site
// starts with "part @ " (ending at that part). Expanding the parts' edges and testing each
// one's stage_ordinal read every edge of the structure whatever the range: at 25x the
// bench's ranged sets took 2x the time. Only genes have EXPRESSED_IN edges: no label test.
// The structures and stages are read for the rows kept only, and sorted: the order the
// edges were met in depended on the store, not on the pages.
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH collect(DISTINCT a) AS parts  // a part reached along two part-of paths counts once
CALL () {
  MATCH (s:DevelopmentalStage)
  WHERE s.ordinal >= coalesce($from_stage, s.ordinal)
    AND s.ordinal <= coalesce($to_stage, s.ordinal)
    AND NOT ($from_stage IS NULL AND $to_stage IS NULL)
  RETURN collect(s.key) AS stage_keys  // none without a range
}
// Each branch ranks its own genes (only one of them runs): the per-edge rows passing the
// UNION cost 10-20% of the time at 25x.
CALL (parts, stage_keys) {
  // no range: every edge into each part
  UNWIND CASE WHEN $from_stage IS NULL AND $to_stage IS NULL THEN parts ELSE [] END AS a
  MATCH (g)-[e:EXPRESSED_IN]->(b)
  USING INDEX e:EXPRESSED_IN(site, image_count)
  WHERE e.site STARTS WITH a.key + ' @ ' AND e.image_count IS NOT NULL AND b = a
  WITH g, sum(e.image_count) AS images
  WITH g, images, g.symbol AS symbol
  ORDER BY images DESC, symbol
  LIMIT $limit
  RETURN g, images, symbol
UNION ALL
  // a range: the edges at its sites
  UNWIND parts AS a
  UNWIND stage_keys AS stage_key
  WITH a, a.key + ' @ ' + stage_key AS site
  MATCH (g)-[e:EXPRESSED_IN]->(b)
  USING INDEX e:EXPRESSED_IN(site, image_count)
  WHERE e.site = site AND e.image_count IS NOT NULL AND b = a
  WITH g, sum(e.image_count) AS images
  WITH g, images, g.symbol AS symbol
  ORDER BY images DESC, symbol
  LIMIT $limit
  RETURN g, images, symbol
}
CALL (g, parts) {
  MATCH (g)-[e:EXPRESSED_IN]->(b)
  WHERE b IN parts
    AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
    AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  WITH b.name AS name, e.stage_key AS stage, e.stage_ordinal AS ordinal
  ORDER BY ordinal, stage  // stages without an ordinal last
  WITH collect(DISTINCT stage) AS stages, collect(DISTINCT name) AS names
  CALL (names) {  // sorted apart: an aggregation without grouping keeps a row when empty
    UNWIND names AS name
    WITH name
    ORDER BY name
    RETURN collect(name) AS structures
  }
  RETURN stages, structures
}
RETURN symbol, g.name AS name, images, structures, stages
ORDER BY images DESC, symbol
