// Chicken genes sharing the most (structure, stage) pairs with a gene.
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param limit: int = 25 at most this many rows

// Per pair of the gene, its (:Site) lists the genes expressed there by rank
// (cypher/load/sites.cypher). Unwinding those lists costs about half of seeking the `site`
// index for the same edges (ALAS2 at 25x: ~320k entries). The counts are ranked before any
// gene is read: the `limit`-th highest count is the floor, and only the genes at or above it
// are looked up, so ties at the floor are still broken by symbol. `own` leaves out the gene
// itself per entry, so two genes with one symbol add up as the edges always did.
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
WITH g, g.site_rank AS own
MATCH (g)-[e:EXPRESSED_IN]->()
MATCH (site:Site {key: e.site})
UNWIND site.gene_ranks AS rank
WITH rank WHERE rank <> own
WITH rank, count(*) AS shared_pairs
WITH collect([shared_pairs, rank]) AS counted
CALL (counted) {
  UNWIND counted AS pair
  WITH pair ORDER BY pair[0] DESC LIMIT $limit
  RETURN min(pair[0]) AS floor
}
// the filter inside the list: as a WHERE after UNWIND, the planner seeks every gene first
UNWIND [pair IN counted WHERE pair[0] >= floor] AS pair
MATCH (other:Gene {site_rank: pair[1]})
RETURN other.symbol AS symbol, pair[0] AS shared_pairs
ORDER BY shared_pairs DESC, symbol
LIMIT $limit
