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
// way the same edges; the phenotype lists are read for the `limit` rows kept.
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
MATCH (g:Gene)-[:ORTHOLOG_OF]->(:Gene)-[:HAS_PHENOTYPE]->(t)
WITH root, collect(DISTINCT g) AS linked
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH linked, collect(DISTINCT a) AS parts
WITH linked, parts, size(linked) * 40 <
     reduce(n = 0, a IN parts | n + COUNT { (a)<-[:EXPRESSED_IN]-() }) AS from_genes
CALL (linked, parts, from_genes) {
  UNWIND CASE WHEN from_genes THEN linked ELSE [] END AS g
  MATCH (g)-[e:EXPRESSED_IN]->(a)
  WHERE a IN parts
  RETURN g, e
  UNION ALL
  UNWIND CASE WHEN from_genes THEN [] ELSE parts END AS a
  MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
  WHERE g IN linked
  RETURN g, e
}
WITH g, e
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH g, sum(e.image_count) AS images
WITH g, images, g.symbol AS symbol
ORDER BY images DESC, symbol
LIMIT $limit
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)-[:HAS_PHENOTYPE]->(t)
  WHERE CASE WHEN $process IS NULL
             THEN t:OmimEntry AND ($mim_id IS NULL OR t.mim_id = $mim_id)
             ELSE t:ProcessTerm AND toLower(t.name) CONTAINS toLower($process) END
  RETURN collect(DISTINCT o.key) AS orthologs,
         collect(DISTINCT coalesce(t.mim_id, t.name)) AS phenotypes
}
RETURN symbol, images, orthologs, phenotypes
ORDER BY images DESC, symbol
