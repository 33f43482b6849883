// Chicken genes expressed in a structure whose orthologs exist in every one of a set of
// species: candidates for conserved developmental roles.
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
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH DISTINCT g
CALL (g) {
  MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
  WHERE o.taxon_id IN $species
  WITH o.key AS key, o.taxon_id AS taxon
  ORDER BY key
  RETURN collect(key) AS orthologs, collect(DISTINCT taxon) AS taxa
}
WITH g, orthologs, taxa
WHERE all(taxon IN $species WHERE taxon IN taxa)
RETURN g.symbol AS symbol, g.name AS name, orthologs
ORDER BY symbol
LIMIT $limit
