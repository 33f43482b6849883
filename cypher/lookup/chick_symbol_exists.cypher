// Whether a loaded page's chicken gene has exactly this symbol: an index seek, so a query that
// found nothing for an exact symbol (a gene without publications, say) is not followed by the
// case-insensitive scan of every page's gene (68,000 of them at 25x: ~100 ms).
RETURN EXISTS { MATCH (:Page)-[:DESCRIBES]->(:Gene {symbol: $symbol}) } AS found
