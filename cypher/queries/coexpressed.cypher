// Chicken genes sharing the most (structure, stage) pairs with a gene.
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param limit: int = 25 at most this many rows

// Per pair of the gene, one seek of the EXPRESSED_IN `site` index (structure key @ stage key)
// finds exactly the edges of the genes sharing it. (Seeking the pair's stage and keeping the
// edges into the pair's structure read every edge at that stage: 3-5x the work at 25x.) Only
// genes have EXPRESSED_IN edges, so `other` needs no label test.
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[e1:EXPRESSED_IN]->()
WITH g, e1.site AS site
MATCH (other)-[e2:EXPRESSED_IN]->()
WHERE e2.site = site AND other <> g
WITH other, count(*) AS shared_pairs
RETURN other.symbol AS symbol, shared_pairs
ORDER BY shared_pairs DESC, symbol
LIMIT $limit
