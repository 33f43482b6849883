// A chicken gene's orthologs (from GEISHA's ortholog table), optionally for one species,
// with their ids, and their symbol and name where an enrichment knows them (null otherwise).
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param species: species = null human, mouse, Xenopus, zebrafish, fruit fly, or a taxon id
// @param limit: int = 10000 at most this many rows
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)-[:IN_SPECIES]->(s:Species)
WHERE $species IS NULL OR s.taxon_id = $species
RETURN g.symbol AS symbol, s.name AS species, s.taxon_id AS taxon_id, o.key AS gene_key,
       o.ann_symbol AS ortholog_symbol, o.ann_name AS ortholog_name, o.ncbi_id AS ncbi_id, o.ensembl_ids AS ensembl_ids, o.mod_ids AS mod_ids,
       o.symbols AS symbols
ORDER BY species, gene_key
LIMIT $limit
