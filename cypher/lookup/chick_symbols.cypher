// The chicken gene symbols (of loaded pages) equal to $symbol when case is ignored: a user who
// types Pou5f3 means POU5F3. A scan of the pages' genes, run only when the exact symbol found
// nothing, so the exact (indexed) path stays as cheap as before.
MATCH (:Page)-[:DESCRIBES]->(g:Gene)
WHERE toLower(g.symbol) = toLower($symbol)
RETURN DISTINCT g.symbol AS symbol
ORDER BY symbol
