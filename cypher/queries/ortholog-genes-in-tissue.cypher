// The cross-species question: genes of another species (human by default) whose chick
// orthologs are expressed in a structure (with its parts) within a stage range; `symbol` and
// `name` are the annotation database's (`chickgraph enrich human`), null where unknown.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart
// @param species: species = 9606 the other species (human, mouse, Xenopus, zebrafish, fly)
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, by gene key (interactive default: pass e.g. 10000 for all)
// @param scan_from: int = null tuning, not a filter (the rows are the same whatever it is): from this many chick genes in range, walk the species' genes in key order instead (by default the smaller of 8000 and the square root of 2 x limit x the species' genes)

// Two plans for one answer, chosen by how many chick genes the structure and range hold
// (collected up to `scan_from`, by default up to 8000):
// - few: those genes, their orthologs of the species, sorted by key. Its cost follows the
//   genes in range: at 25x a dense hub holds 30,000 (heart HH10-HH20: 924,594 db hits).
// - many: the species' genes in key order from the composite index Gene(taxon_id, key),
//   each kept when a chick ortholog has an edge into the structure in range, until `limit`
//   rows: with many genes in range the first few hundred suffice (heart: 17,792 db hits).
// The few plan reads about 25 db hits per chick gene in range (G), the walk about 40 per
// species gene it passes, about limit x (the species' genes) / G of them, each hit 1.4x the
// time of one of the few plan's (1x, the bench's 10 sets): they cost the same at
// G = sqrt(2.2 x limit x species genes), which the default takes, rounded to 2: 680 genes
// at 1x with limit 100 (human: 2,328 genes), 3,400 at 25x. With 8000 everywhere (until
// 2026-12-06) every set at 1x took the few plan: the bench's 10 sets read 223k db hits in
// all, 126k now (the walk everywhere: 250k, 125k of them on the sparsest set); server p50 8
// -> 7 ms, p95 13 -> 10 ms. Counting the genes in range first costs the walk ~2 hits a gene.
// The genes in range come without reading an edge's properties: with no range, every edge
// into the parts; with one, the `site` index at "part key @ stage key" for the stages in
// range (an edge's `site` is built so, and its stage is a DevelopmentalStage with the edge's
// ordinal: tests/integration/test_queries.py checks both). Seeking every site of a broad
// structure at every stage instead would cost 1x 2x (nervous-system: 23 parts x 72 stages).
// An ortholog Gene carries its species' `taxon_id` (the same as its IN_SPECIES Species'),
// so the species test needs no expansion to Species. The chick genes are collected as node
// references and their symbols read for the rows kept only.
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH collect(DISTINCT a) AS parts, collect(DISTINCT a.key) AS part_keys
CALL () {
  MATCH (s:DevelopmentalStage)
  WHERE s.ordinal >= coalesce($from_stage, s.ordinal)
    AND s.ordinal <= coalesce($to_stage, s.ordinal)
    AND NOT ($from_stage IS NULL AND $to_stage IS NULL)
  RETURN collect(s.key) AS stage_keys  // none without a range
}
WITH parts, reduce(all = [], p IN part_keys | all + [k IN stage_keys | p + ' @ ' + k]) AS sites
CALL (parts, sites) {
  CALL (parts, sites) {
    // no range: every edge into the parts, no property read
    UNWIND CASE WHEN $from_stage IS NULL AND $to_stage IS NULL THEN parts ELSE [] END AS a
    MATCH (g)-[:EXPRESSED_IN]->(a)
    RETURN g
  UNION ALL
    // a range: the edges at its sites only
    UNWIND sites AS site
    MATCH (g)-[e:EXPRESSED_IN]->()
    WHERE e.site = site
    RETURN g
  }
  WITH DISTINCT g
  LIMIT coalesce($scan_from, 8000)
  RETURN collect(g) AS in_range  // every gene in range unless `many`
}
CALL () {  // the species' genes: a degree read
  OPTIONAL MATCH (s:Species {key: 'NCBITaxon:' + toString($species)})
  RETURN toInteger(sqrt(2.0 * $limit * COUNT { (s)<-[:IN_SPECIES]-() })) AS balance
}
WITH parts, in_range,
     size(in_range) >= coalesce($scan_from, 8000)  // in_range was cut there: walk
     OR ($scan_from IS NULL AND size(in_range) >= balance) AS many
CALL (parts, in_range, many) {
  UNWIND CASE WHEN many THEN [] ELSE in_range END AS g
  MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
  WHERE o.taxon_id = $species
  WITH o, collect(g) AS genes
  ORDER BY o.key
  LIMIT $limit
  RETURN o, genes
UNION ALL
  // the taxon is null unless `many`: the index seek then finds nothing (a filter on `many`
  // alone would be planned above the seek, which would read every key of the species)
  WITH parts, many
  MATCH (o:Gene)
  WHERE o.taxon_id = CASE WHEN many THEN $species END AND o.key IS NOT NULL
  WITH parts, o
  ORDER BY o.taxon_id, o.key  // the composite index's order: no sort, stops at the limit
  CALL (o, parts) {
    MATCH (g)-[:ORTHOLOG_OF]->(o)
    WHERE EXISTS {
      MATCH (g)-[e:EXPRESSED_IN]->(b)
      WHERE b IN parts
        AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
        AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
    }
    RETURN collect(g) AS genes
  }
  WITH o, genes
  WHERE size(genes) > 0
  LIMIT $limit
  RETURN o, genes
}
WITH o, genes, o.key AS gene_key
RETURN gene_key, o.ann_symbol AS symbol, o.ann_name AS name, o.ncbi_id AS ncbi_id,
       o.ensembl_ids AS ensembl_ids, o.symbols AS symbols,
       COLLECT { UNWIND genes AS x
                 WITH DISTINCT x.symbol AS symbol ORDER BY symbol
                 RETURN symbol } AS chick_genes  // sorted: the same list from either plan
ORDER BY gene_key
