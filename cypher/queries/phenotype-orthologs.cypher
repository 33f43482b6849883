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

// The chick genes with a qualifying ortholog phenotype (`linked`) are found first, from the
// phenotype side: an index scan of the OMIM entries or process terms (the UNWINDs run each
// branch only when its parameters ask for it), then their orthologs' chick genes. Only the
// edges of those genes into the structure's parts are summed, reached from whichever side is
// smaller: from the genes when 40 edges each (32 on average) are fewer than the parts hold
// (their in-degrees are read from the store, not counted), else from the parts. Either
// way the same edges; the phenotype lists are read for the `limit` rows kept. From the
// parts with a stage range, only the edges at the sites "part @ stage in range" are read,
// image counts from the index EXPRESSED_IN(site, image_count) (as genes-in-tissue does):
// at 25x the bench's ranged sets took 20-63% less time (client p50, interleaved); with no
// range, the same seek of every "part @ " prefix read 4x the edges that the expansion keeps
// (those of linked genes) and was up to 18% slower, so it expands.
// Ranking every gene in the structure first and looking up phenotypes down the ranking
// until `limit` genes had one read 0.8-7x the db hits of this text at 1x and 1.1-2.8x at
// 25x. Client p50 on the bench's 13 parameter sets at 25x: 73-215 ms before, 36-119 ms now;
// one OMIM entry in the heart at 25x: 334-346 ms before, 3 ms now (from its genes; 44 ms
// from the parts).
MATCH (root:AnatomicalStructure {key: $structure})
CALL () {
  UNWIND CASE WHEN $process IS NULL AND $mim_id IS NULL THEN [1] ELSE [] END AS any_entry
  MATCH (t:OmimEntry)
  WHERE t.mim_id IS NOT NULL
  RETURN t
  UNION
  MATCH (t:OmimEntry {mim_id: $mim_id})
  WHERE $process IS NULL
  RETURN t
  UNION
  UNWIND CASE WHEN $process IS NULL THEN [] ELSE [toLower($process)] END AS text
  MATCH (t:ProcessTerm)
  WHERE t.name IS NOT NULL AND toLower(t.name) CONTAINS text
  RETURN t
}
MATCH (g)-[:ORTHOLOG_OF]->()-[:HAS_PHENOTYPE]->(t)  // genes only: no label tests
WITH root, collect(DISTINCT g) AS linked
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH linked, collect(DISTINCT a) AS parts
WITH linked, parts, size(linked) * 40 <
     reduce(n = 0, a IN parts | n + COUNT { (a)<-[:EXPRESSED_IN]-() }) AS from_genes
CALL () {
  MATCH (s:DevelopmentalStage)
  WHERE s.ordinal >= coalesce($from_stage, s.ordinal)
    AND s.ordinal <= coalesce($to_stage, s.ordinal)
    AND NOT ($from_stage IS NULL AND $to_stage IS NULL)
  RETURN collect(s.key) AS stage_keys  // none without a range
}
// Each branch ranks its own genes (only one of them runs): the per-edge rows passing the
// UNION cost 5-20% of the time at 25x.
CALL (linked, parts, from_genes, stage_keys) {
  UNWIND CASE WHEN from_genes THEN linked ELSE [] END AS g
  MATCH (g)-[e:EXPRESSED_IN]->(a)
  WHERE a IN parts
    AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
    AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  WITH g, sum(e.image_count) AS images
  WITH g, images, g.symbol AS symbol
  ORDER BY images DESC, symbol
  LIMIT $limit
  RETURN g, images, symbol
UNION ALL
  // from the parts, no range: every edge into each part
  UNWIND CASE WHEN from_genes OR $from_stage IS NOT NULL OR $to_stage IS NOT NULL
              THEN [] ELSE parts END AS a
  MATCH (g)-[e:EXPRESSED_IN]->(a)  // only genes have EXPRESSED_IN edges: no label test
  WHERE g IN linked
  WITH g, sum(e.image_count) AS images
  WITH g, images, g.symbol AS symbol
  ORDER BY images DESC, symbol
  LIMIT $limit
  RETURN g, images, symbol
UNION ALL
  // from the parts, a range: the edges at its sites
  UNWIND CASE WHEN from_genes THEN [] ELSE parts END AS a
  UNWIND stage_keys AS stage_key
  WITH a, linked, a.key + ' @ ' + stage_key AS site
  MATCH (g)-[e:EXPRESSED_IN]->(b)
  USING INDEX e:EXPRESSED_IN(site, image_count)
  WHERE e.site = site AND e.image_count IS NOT NULL AND b = a AND g IN linked
  WITH g, sum(e.image_count) AS images
  WITH g, images, g.symbol AS symbol
  ORDER BY images DESC, symbol
  LIMIT $limit
  RETURN g, images, symbol
}
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o)-[:HAS_PHENOTYPE]->(t)
  WHERE CASE WHEN $process IS NULL
             THEN t:OmimEntry AND ($mim_id IS NULL OR t.mim_id = $mim_id)
             ELSE t:ProcessTerm AND toLower(t.name) CONTAINS toLower($process) END
  RETURN collect(DISTINCT o.key) AS orthologs,
         collect(DISTINCT coalesce(t.mim_id, t.name)) AS phenotypes
}
RETURN symbol, images, orthologs, phenotypes
ORDER BY images DESC, symbol
