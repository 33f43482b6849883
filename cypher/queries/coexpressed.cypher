// Chicken genes sharing the most (structure, stage) pairs with a gene.
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param limit: int = 25 at most this many rows

// The gene's pairs grouped by stage: per stage one seek of the EXPRESSED_IN stage_key index,
// kept when the edge ends in one of the gene's structures at that stage. (Expanding each
// structure's edges instead meets a hub's thousands of edges once per stage of the gene.)
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[e1:EXPRESSED_IN]->(a:AnatomicalStructure)
WITH g, e1.stage_key AS stage, collect(a) AS structures
MATCH (other:Gene)-[e2:EXPRESSED_IN]->(a2)
WHERE e2.stage_key = stage AND a2 IN structures AND other <> g
WITH other, count(*) AS pairs
RETURN other.symbol AS symbol, sum(pairs) AS shared_pairs
ORDER BY shared_pairs DESC, symbol
LIMIT $limit
