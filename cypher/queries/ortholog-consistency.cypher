// Ortholog consistency: for each chick gene, its orthologs of an enriched species (human by
// default) whose symbol in the annotation database neither equals the chick symbol nor is one
// of the database's aliases of that gene (both ignoring case: HGNC writes C9orf58, the pages
// C9ORF58), or that the database does not know; with both names, for a curator to review.
// Needs `chickgraph enrich SPECIES` (no rows otherwise); the orthology is left as it is.
// @param species: species = 9606 the enriched species (human, or a taxon id)
// @param limit: int = 10000 at most this many rows
MATCH (o:Gene {ann_review: true})
// the genes the enrichment flagged (enrich/review_flags: by `chickgraph enrich` and at the end
// of every ingest), then each pair tested again, so a symbol corrected since drops out at
// once; walking every annotated gene instead took a p95 of ~250 ms at 25x (58,200 genes for
// 1,750 pairs)
WHERE o.taxon_id = $species
// BEGIN mismatch
MATCH (p:Page)-[:DESCRIBES]->(g:Gene)-[:ORTHOLOG_OF]->(o)
WHERE (o.ann_symbol IS NULL
     OR (toUpper(o.ann_symbol) <> toUpper(g.symbol)
         AND NOT toUpper(g.symbol) IN [alias IN coalesce(o.ann_aliases, []) | toUpper(alias)]))
// END mismatch
RETURN g.symbol AS chick_symbol, g.name AS chick_name, o.key AS ortholog_key,
       o.ncbi_id AS ncbi_id, o.ann_symbol AS ortholog_symbol, o.ann_name AS ortholog_name,
       o.symbols AS row_symbols, p.path AS page
ORDER BY chick_symbol, ortholog_key
LIMIT $limit
