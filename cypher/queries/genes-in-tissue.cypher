// Chicken genes expressed in a structure (optionally including its parts), optionally
// within a stage range; with how many images show it, and the structures (by name) and
// stages (in stage order) it is seen at there.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart, Brain
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10, EGK XII...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, most images first (interactive default: pass e.g. 10000 for all)

// Every edge in range is counted, so the cost is in reading them: the genes and image counts
// come from the (:Site) lists (cypher/load/sites.cypher), one site per (part, stage), never
// from the edges: at 25x the lists took 0.5-0.65x the time of the composite index
// EXPRESSED_IN(site, image_count) they replace. With a range the sites are exactly "part @
// stage in range", without one those whose key starts with "part @ " (edges end at curated
// structures only, whose keys are slugs: no '@'). Ranks follow (symbol, key), so the genes
// are ranked by (images, rank) before any is read. Only genes have EXPRESSED_IN edges: no label
// test. The structures and stages are read for the rows kept only, and sorted: the order the
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
// The ranking stays inside this call: grouping by rank alone (with `parts` as a key it took
// 20% longer at 25x).
CALL (parts, stage_keys) {
  CALL (parts, stage_keys) {  // the sites: only one branch yields rows
    UNWIND CASE WHEN $from_stage IS NULL AND $to_stage IS NULL THEN parts ELSE [] END AS a
    MATCH (site:Site) WHERE site.key STARTS WITH a.key + ' @ '
    RETURN site
  UNION ALL
    UNWIND parts AS a
    UNWIND stage_keys AS stage_key
    MATCH (site:Site {key: a.key + ' @ ' + stage_key})
    RETURN site
  }
  UNWIND range(0, size(site.gene_ranks) - 1) AS i
  WITH site.gene_ranks[i] AS rank, site.image_counts[i] AS images
  WITH rank, sum(images) AS images
  ORDER BY images DESC, rank
  LIMIT $limit
  RETURN rank, images
}
MATCH (g:Gene {site_rank: rank})
WITH parts, g, images, rank, g.symbol AS symbol
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
ORDER BY images DESC, rank
