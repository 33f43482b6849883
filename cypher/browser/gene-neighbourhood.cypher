// A chicken gene drawn as a graph: its orthologs with their species, and the structures it
// is expressed in within a stage range (one EXPRESSED_IN edge per stage).
// @param symbol: string (required) chicken gene symbol, e.g. ALAS2
// @param from_stage: stage = null first stage of the range
// @param to_stage: stage = null last stage of the range
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
OPTIONAL MATCH orthologs = (g)-[:ORTHOLOG_OF]->(:Gene)-[:IN_SPECIES]->(:Species)
OPTIONAL MATCH expressed = (g)-[e:EXPRESSED_IN]->(:AnatomicalStructure)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
RETURN g, collect(DISTINCT orthologs) AS orthologs, collect(DISTINCT expressed) AS expressed
