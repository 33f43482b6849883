// Chicken genes sharing the most (structure, stage) pairs with a gene.
// @param symbol: string (required) chicken gene symbol, e.g. ALAS2
// @param limit: int = 25 at most this many rows
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[e1:EXPRESSED_IN]->(a:AnatomicalStructure)<-[e2:EXPRESSED_IN]-(other:Gene)
WHERE e2.stage_key = e1.stage_key AND other <> g
RETURN other.symbol AS symbol, count(*) AS shared_pairs
ORDER BY shared_pairs DESC, symbol
LIMIT $limit
