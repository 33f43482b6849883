// Where and when a chicken gene is expressed: one row per structure and stage, with the
// number of the gene's images that show it, in developmental order.
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param limit: int = 10000 at most this many rows
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[e:EXPRESSED_IN]->(a:AnatomicalStructure)
RETURN g.symbol AS symbol, a.key AS structure_key, a.name AS structure,
       e.stage_key AS stage, e.stage_ordinal AS stage_ordinal, e.image_count AS images
ORDER BY stage_ordinal, structure, stage
LIMIT $limit
