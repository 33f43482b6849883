// Chicken genes expressed in a structure whose orthologs exist in every one of a set of
// species: candidates for conserved developmental roles. `ortholog_symbols` and
// `ortholog_names` run parallel to `orthologs` (an enrichment's values, null where unknown).
// @param structure: structure (required) a structure name, synonym or key
// @param species: species_list = [9606, 10090] e.g. human,mouse,zebrafish (names or taxon ids)
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, by symbol (interactive default: pass e.g. 10000 for all)
// @param scan_from: int = 8000 tuning, not a filter (the rows are the same whatever it is): from this many chick genes in range, walk the genes in symbol order instead

// Two plans for one answer, chosen by how many chick genes the structure and range hold
// (collected up to `scan_from`), as in ortholog-genes-in-tissue (which says how the genes in
// range are found without reading an edge's properties):
// - few: those genes, each with its orthologs, sorted by symbol. At 25x a dense hub holds
//   30,000 such genes.
// - many: the genes in symbol order from the Gene(symbol) index, each kept when it has an
//   edge into the structure in range and an ortholog in every species, until `limit`: a
//   few hundred genes read instead of 30,000 (25x, heart HH10-HH20: 99 -> 18 ms p50).
// Both plans keep only genes with an ortholog in every species, so the last step collects the
// orthologs of at most `limit` genes; an ortholog Gene carries its species' `taxon_id` (the
// same as its IN_SPECIES Species'), so no Species is visited.
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
  LIMIT $scan_from
  RETURN collect(g) AS in_range  // every gene in range unless `many`
}
WITH parts, in_range, size(in_range) >= $scan_from AS many
CALL (parts, in_range, many) {
  UNWIND CASE WHEN many THEN [] ELSE in_range END AS g
  WITH g
  ORDER BY g.symbol
  WHERE all(taxon IN $species WHERE EXISTS {
    MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
    WHERE o.taxon_id = taxon
  })
  LIMIT $limit
  RETURN g
UNION ALL
  // the bound is null unless `many`: the index seek then finds nothing (a filter on `many`
  // alone would be planned above the seek, which would read every symbol); page genes
  // always have a text symbol (the page model requires one)
  WITH parts, many
  MATCH (g:Gene)
  WHERE g.symbol >= CASE WHEN many THEN '' END
  WITH parts, g
  ORDER BY g.symbol  // the index's order: no sort, stops at the limit
  WHERE EXISTS {
    MATCH (g)-[e:EXPRESSED_IN]->(b)
    WHERE b IN parts
      AND ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
      AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  }
  AND all(taxon IN $species WHERE EXISTS {
    MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
    WHERE o.taxon_id = taxon
  })
  LIMIT $limit
  RETURN g
}
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
  WHERE o.taxon_id IN $species
  WITH o ORDER BY o.key
  WITH collect(o) AS found
  RETURN [x IN found | x.key] AS orthologs, [x IN found | x.ann_symbol] AS ortholog_symbols,
         [x IN found | x.ann_name] AS ortholog_names
}
RETURN g.symbol AS symbol, g.name AS name, orthologs, ortholog_symbols, ortholog_names
ORDER BY symbol
LIMIT $limit
