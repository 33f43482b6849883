// A chicken gene drawn as a graph: its orthologs with their species, and the structures it is
// expressed in within a stage range (returned: one edge per structure, the earliest stage; the
// Browser then also draws the gene's other EXPRESSED_IN edges to them, one per stage).
// @param symbol: string (required) chicken gene symbol, e.g. ALAS2
// @param from_stage: stage = null first stage of the range
// @param to_stage: stage = null last stage of the range
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
CALL (g) {
  OPTIONAL MATCH ortholog = (g)-[:ORTHOLOG_OF]->(:Gene)-[:IN_SPECIES]->(:Species)
  RETURN collect(ortholog) AS orthologs
}
CALL (g) {
  OPTIONAL MATCH expressed = (g)-[e:EXPRESSED_IN]->(a:AnatomicalStructure)
  WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
    AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  WITH a, expressed ORDER BY e.stage_ordinal
  WITH a, collect(expressed)[0] AS earliest
  RETURN collect(earliest) AS expressed
}
RETURN g, orthologs, expressed
