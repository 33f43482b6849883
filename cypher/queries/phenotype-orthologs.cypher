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

// Any OMIM entry (the default) is a fifth of the genes: the parts' (:Site) nodes list their
// entries apart (`omim_gene_ranks`, `omim_image_counts`, cypher/load/sites.cypher), so those
// lists are summed and no gene is looked up. Finding the genes from the OMIM side instead
// read 13,300 links and 13,325 genes at 25x (130k db hits, 32 ms) before a single image.
// One OMIM entry or a process term: the chick genes with that ortholog phenotype (`linked`)
// are found first, from the phenotype side (an index seek or scan; the UNWIND runs the scan
// only when `process` is given), then their images in the parts, reached from whichever side
// holds fewer entries: the genes' own EXPRESSED_IN edges (their degrees, read from the store)
// or the sites' entries (one per gene and site: the sites' `gene_count`s), keeping those of
// linked genes. An edge costs 1.5 entries (0.55 against 0.35 us at 25x: an edge's stage is
// read and its structure tested, an entry is a list element). The ranking happens after the
// call, on one row per gene: inside it, each row the top-n kept carried `linked` (thousands of
// genes at 25x), and limit 10,000 ran out of transaction memory. Ranks follow (symbol, key):
// only the genes returned are read, with their phenotype lists.
// At 25x (server p50, the bench's 13 sets): any OMIM entry 2-16 ms (40-94 ms finding the genes
// from the OMIM side). Process "heart" or "neural" in nine structures and ranges: the rule
// picked the faster side on eight (the genes' edges 13-75 ms, the sites 14-112 ms); on the
// ninth, 45 ms from the sites against 37 ms from the edges.
MATCH (root:AnatomicalStructure {key: $structure})
CALL () {  // one row, `linked` empty for any OMIM entry: the sites list those genes
  CALL () {
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
  RETURN collect(DISTINCT g) AS linked
}
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH linked, collect(DISTINCT a) AS parts
CALL () {
  MATCH (s:DevelopmentalStage)
  WHERE s.ordinal >= coalesce($from_stage, s.ordinal)
    AND s.ordinal <= coalesce($to_stage, s.ordinal)
    AND NOT ($from_stage IS NULL AND $to_stage IS NULL)
  RETURN collect(s.key) AS stage_keys  // none without a range
}
CALL (parts, stage_keys) {  // the parts' sites: all, or those in range
  CALL (parts, stage_keys) {
    UNWIND CASE WHEN $from_stage IS NULL AND $to_stage IS NULL THEN parts ELSE [] END AS a
    MATCH (site:Site) WHERE site.key STARTS WITH a.key + ' @ '
    RETURN site
  UNION ALL
    UNWIND parts AS a
    UNWIND stage_keys AS stage_key
    MATCH (site:Site {key: a.key + ' @ ' + stage_key})
    RETURN site
  }
  RETURN collect(site) AS sites, sum(site.gene_count) AS entries  // one per (gene, site)
}
WITH linked, parts, sites, entries, $process IS NULL AND $mim_id IS NULL AS any_omim
WITH linked, parts, sites, any_omim, NOT any_omim AND
     reduce(n = 0, g IN linked | n + COUNT { (g)-[:EXPRESSED_IN]->() }) * 3 < entries * 2
     AS from_genes
CALL (linked, parts, sites, any_omim, from_genes) {
  UNWIND CASE WHEN from_genes THEN linked ELSE [] END AS g  // only one branch yields rows
  MATCH (g)-[e:EXPRESSED_IN]->(a)
  WHERE a IN parts
    AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
    AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  WITH g, sum(e.image_count) AS images
  WHERE g.site_rank IS NOT NULL  // a gene of a page new in a running sync: ranked at its end
  RETURN g.site_rank AS rank, images
UNION ALL
  WITH sites, any_omim, from_genes,
       [g IN linked WHERE g.site_rank IS NOT NULL | g.site_rank] AS ranks  // read once
  UNWIND CASE WHEN from_genes THEN [] ELSE sites END AS site
  WITH any_omim, ranks,
       CASE WHEN any_omim THEN site.omim_gene_ranks ELSE site.gene_ranks END AS site_ranks,
       CASE WHEN any_omim THEN site.omim_image_counts ELSE site.image_counts END AS counts
  UNWIND range(0, coalesce(size(site_ranks), 0) - 1) AS i  // none on a site of before v7
  WITH any_omim, ranks, site_ranks[i] AS rank, counts[i] AS images
  WHERE any_omim OR rank IN ranks
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
