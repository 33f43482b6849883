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
// images of those genes in the structure's parts are summed, reached from whichever side is
// smaller: from the genes' own edges when 40 edges each (32 on average) are fewer than the
// parts hold (their in-degrees are read from the store, not counted), else from the parts'
// (:Site) lists (cypher/load/sites.cypher, as genes-in-tissue reads them), keeping the entries
// of linked genes. The ranking happens after the call, on one row per gene: inside it, each
// row the top-n kept carried `linked` (thousands of genes at 25x), and limit 10,000 ran out of
// transaction memory. Ranks follow (symbol, key): only the genes returned are read, with
// their phenotype lists.
// At 25x (server, interleaved, the bench's 13 sets plus two): from the sites 0.7-0.9x the time
// of the edges and the `site` index they replace on the dense sets (heart, no range: 82 -> 60
// ms), up to 1.3x on the smallest (17 -> 22 ms); one OMIM entry in the heart: 1-2 ms.
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
CALL (linked, parts, from_genes, stage_keys) {
  UNWIND CASE WHEN from_genes THEN linked ELSE [] END AS g  // only one branch yields rows
  MATCH (g)-[e:EXPRESSED_IN]->(a)
  WHERE a IN parts
    AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
    AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  WITH g, sum(e.image_count) AS images
  WHERE g.site_rank IS NOT NULL  // a gene of a page new in a running sync: ranked at its end
  RETURN g.site_rank AS rank, images
UNION ALL
  WITH linked, parts, from_genes, stage_keys,
       [g IN linked WHERE g.site_rank IS NOT NULL | g.site_rank] AS ranks
  CALL (parts, stage_keys, from_genes) {  // the parts' sites: all, or those in range
    UNWIND CASE WHEN from_genes OR $from_stage IS NOT NULL OR $to_stage IS NOT NULL
                THEN [] ELSE parts END AS a
    MATCH (site:Site) WHERE site.key STARTS WITH a.key + ' @ '
    RETURN site
  UNION ALL
    UNWIND CASE WHEN from_genes THEN [] ELSE parts END AS a
    UNWIND stage_keys AS stage_key
    MATCH (site:Site {key: a.key + ' @ ' + stage_key})
    RETURN site
  }
  UNWIND range(0, size(site.gene_ranks) - 1) AS i
  WITH ranks, site.gene_ranks[i] AS rank, site.image_counts[i] AS images
  WHERE rank IN ranks
  RETURN rank, sum(images) AS images
}
WITH rank, sum(images) AS images  // one row per gene already: what it drops is `linked`
ORDER BY images DESC, rank
LIMIT $limit
MATCH (g:Gene {site_rank: rank})
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o)-[:HAS_PHENOTYPE]->(t)
  WHERE CASE WHEN $process IS NULL
             THEN t:OmimEntry AND ($mim_id IS NULL OR t.mim_id = $mim_id)
             ELSE t:ProcessTerm AND toLower(t.name) CONTAINS toLower($process) END
  RETURN collect(DISTINCT o.key) AS orthologs,
         collect(DISTINCT coalesce(t.mim_id, t.name)) AS phenotypes
}
RETURN g.symbol AS symbol, images, orthologs, phenotypes
ORDER BY images DESC, rank
