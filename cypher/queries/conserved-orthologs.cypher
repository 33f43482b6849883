// Chicken genes expressed in a structure whose orthologs exist in every one of a set of
// species: candidates for conserved developmental roles. `ortholog_symbols` and
// `ortholog_names` run parallel to `orthologs` (an enrichment's values, null where unknown).
// @param structure: structure (required) a structure name, synonym or key
// @param species: species_list = [9606, 10090] e.g. human,mouse,zebrafish (names or taxon ids)
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, by symbol (interactive default: pass e.g. 10000 for all)

// One pass over each gene's orthologs collects their keys and taxa; an ortholog Gene carries
// its species' `taxon_id` (the same as its IN_SPECIES Species'), so no Species is visited.
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a  // a part reached along two part-of paths counts once
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH DISTINCT g
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
  WHERE o.taxon_id IN $species
  WITH o ORDER BY o.key
  WITH collect(o) AS found
  RETURN [x IN found | x.key] AS orthologs, [x IN found | x.ann_symbol] AS ortholog_symbols,
         [x IN found | x.ann_name] AS ortholog_names,
         reduce(taxa = [], x IN found | CASE WHEN x.taxon_id IN taxa THEN taxa
                                             ELSE taxa + x.taxon_id END) AS taxa
}
WITH g, orthologs, ortholog_symbols, ortholog_names, taxa
WHERE all(taxon IN $species WHERE taxon IN taxa)
RETURN g.symbol AS symbol, g.name AS name, orthologs, ortholog_symbols, ortholog_names
ORDER BY symbol
LIMIT $limit
