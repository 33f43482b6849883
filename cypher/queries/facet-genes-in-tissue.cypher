// Chicken genes of one of the site's browse facets (a pathway, body system or category
// from gene_index.json, e.g. WNT, Neural, Transcription Factor) expressed in a structure
// (optionally with its parts) within a stage range; with images and stages seen.
// @param facet: string (required) the facet as the site names it (case-insensitive), e.g. WNT
// @param kind: facet_kind = null only facets of this kind: system, pathway or category
// @param structure: structure (required) a structure name, synonym or key, e.g. heart
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, most images first

// The facet's genes are summed over the structure's parts three ways, chosen by the facet's
// size M (its IN_FACET degree) and the parts' in-degree D (edges; both read from the store,
// not counted), as phenotype-orthologs chooses for its genes:
// - few genes (40 M < D): the genes' own edges into the parts;
// - else the parts' (:Site) lists (cypher/load/sites.cypher, as genes-in-tissue reads them),
//   keeping a facet gene's entries by one of two tests:
//   - M^2 < 25 limit D: the entry's rank is in the list of the facet genes' ranks (reading
//     M ranks);
//   - else, a large facet: the genes in range are ranked by images first, and each is looked
//     up and kept while it is in the facet, until `limit` are kept. Reading 48k ranks
//     (Neural at 25x) cost 35-40 ms; its genes are 85% of the heart's entries, so the top
//     100 take about 120 lookups. The cost of the lookups grows with limit x (genes in
//     range / facet genes), that of the list with M: hence the rule, whose constant was
//     measured (the bench's 8 parameter sets: at 1x the list wins on all of them, M^2 /
//     (limit D) <= 6.4; at 25x the lookups win, 107-160 on the large facets).
// Reading every edge of the parts in range instead (the text until 2026-12-05) cost 557,850
// db hits and 322 ms client p95 at 25x (Neural, 48k genes, in the neural plate/tube or the
// heart at HH10-HH20); this text, about 50 ms. Ranks follow (symbol, key): only the genes
// returned are read, with their stages (in stage order) and facets. Each site's lists are
// read once into variables: read by index (`site.image_counts[i]`) the planner read the
// whole list again for every entry.
MATCH (f:Facet {name_lower: toLower($facet)})
WHERE $kind IS NULL OR f.kind = $kind
WITH collect(f) AS facets, sum(COUNT { (f)<-[:IN_FACET]-() }) AS members
WHERE members > 0
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH facets, members, collect(DISTINCT a) AS parts  // a part reached along two paths: once
WITH facets, members, parts,
     reduce(n = 0, a IN parts | n + COUNT { (a)<-[:EXPRESSED_IN]-() }) AS edges
WITH facets, parts, members * 40 < edges AS from_genes,
     members * 40 >= edges AND members * members < 25 * $limit * edges AS by_list
CALL () {
  MATCH (s:DevelopmentalStage)
  WHERE s.ordinal >= coalesce($from_stage, s.ordinal)
    AND s.ordinal <= coalesce($to_stage, s.ordinal)
    AND NOT ($from_stage IS NULL AND $to_stage IS NULL)
  RETURN collect(s.key) AS stage_keys  // none without a range
}
CALL (facets, by_list) {  // the facet genes' ranks, for the list test only
  UNWIND CASE WHEN by_list THEN facets ELSE [] END AS f
  MATCH (m)-[:IN_FACET]->(f)  // only genes are in facets: no label test
  RETURN collect(m.site_rank) AS ranks
}
CALL (facets, parts, from_genes, by_list, ranks, stage_keys) {
  CALL (facets, parts, from_genes, by_list, ranks, stage_keys) {
    UNWIND CASE WHEN from_genes THEN facets ELSE [] END AS f  // only one branch yields rows
    MATCH (g)-[:IN_FACET]->(f)
    WITH DISTINCT g, parts
    MATCH (g)-[e:EXPRESSED_IN]->(a)
    WHERE a IN parts
      AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
      AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
      AND g.site_rank IS NOT NULL  // a gene of a page new in a running sync: ranked at its end
    RETURN g.site_rank AS rank, e.image_count AS images
  UNION ALL
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
    WITH by_list, ranks, site.gene_ranks AS site_ranks, site.image_counts AS counts
    UNWIND range(0, size(site_ranks) - 1) AS i
    WITH by_list, ranks, site_ranks[i] AS rank, counts[i] AS images
    WHERE NOT by_list OR rank IN ranks
    RETURN rank, images
  }
  WITH rank, sum(images) AS images
  ORDER BY images DESC, rank
  MATCH (g:Gene {site_rank: rank})  // in this order: the limit stops the lookups
  WHERE from_genes OR by_list OR EXISTS { MATCH (g)-[:IN_FACET]->(f) WHERE f IN facets }
  WITH g, images
  LIMIT $limit
  RETURN g, images
}
CALL (g, parts) {
  MATCH (g)-[e:EXPRESSED_IN]->(b)
  WHERE b IN parts
    AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
    AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  WITH e.stage_key AS stage, e.stage_ordinal AS ordinal
  ORDER BY ordinal, stage  // stages without an ordinal last
  RETURN collect(DISTINCT stage) AS stages
}
RETURN g.symbol AS symbol, g.name AS name, images, stages,
       COLLECT { MATCH (g)-[:IN_FACET]->(x:Facet) RETURN x.key ORDER BY x.key } AS facets
ORDER BY images DESC, g.site_rank
