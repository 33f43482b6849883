// Chicken genes expressed in a structure whose orthologs exist in every one of a set of
// species: candidates for conserved developmental roles.
// @param structure: structure (required) a structure name, synonym or key
// @param species: species_list = [9606, 10090] e.g. human,mouse,zebrafish (names or taxon ids)
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range
// @param to_stage: stage = null last stage of the range
// @param limit: int = 10000 at most this many rows
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH DISTINCT g
WHERE all(taxon IN $species WHERE EXISTS {
  (g)-[:ORTHOLOG_OF]->(:Gene)-[:IN_SPECIES]->(:Species {taxon_id: taxon}) })
RETURN g.symbol AS symbol, g.name AS name,
       COLLECT { MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)-[:IN_SPECIES]->(s:Species)
                 WHERE s.taxon_id IN $species RETURN o.key ORDER BY o.key } AS orthologs
ORDER BY symbol
LIMIT $limit
