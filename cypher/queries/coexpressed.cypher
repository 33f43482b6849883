// Chicken genes sharing the most (structure, stage) pairs with a gene.
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param limit: int = 25 at most this many rows

// Per pair of the gene, its (:Site) lists the genes expressed there by rank
// (cypher/load/sites.cypher). Unwinding those lists costs about half of seeking the `site`
// index for the same edges (ALAS2 at 25x: ~320k entries). Ranks follow (symbol, key), so the
// counts are ranked by (count, rank) before any gene is read, and only the genes returned are
// looked up: ties are broken by symbol as before. `own` leaves out the gene itself per entry,
// so two genes with one symbol add up as the edges always did.
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
WITH g, g.site_rank AS own
MATCH (g)-[e:EXPRESSED_IN]->()
MATCH (site:Site {key: e.site})
UNWIND site.gene_ranks AS rank
WITH rank WHERE rank <> own
WITH rank, count(*) AS shared_pairs
ORDER BY shared_pairs DESC, rank
LIMIT $limit
MATCH (other:Gene {site_rank: rank})
RETURN other.symbol AS symbol, shared_pairs
ORDER BY shared_pairs DESC, rank
