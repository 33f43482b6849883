// Derived after every sync that changed pages (like phenotype_links): one (:Site) per
// (structure, stage) pair a gene is expressed at, keyed by EXPRESSED_IN's `site`, listing the
// genes expressed there as `gene_ranks`. `coexpressed` unwinds these lists: at 25x, reading
// ALAS2's ~320k entries from the `site` index cost more than the query's whole budget; read
// as lists they cost about half. The lists hold small integers, not keys: Neo4j packs an
// integer array into the bits its largest value needs, and integers group fast (lists of
// keys or of 63-bit hashes were 2-3x slower than the index itself).
//
// A gene's rank is its position, in key order, among the genes with EXPRESSED_IN edges: a
// function of the graph, so every load of the same pages gives the same ranks and lists.
// Each statement writes only what differs: a sync that changed no expression writes nothing
// here; a gene added early in key order shifts the ranks after it (all rewritten). The
// statements run in one transaction (writer.derive_sites): ranks and lists change together.
MATCH (g:Gene) WHERE g.site_rank IS NOT NULL AND NOT EXISTS { (g)-[:EXPRESSED_IN]->() }
REMOVE g.site_rank;
MATCH (g:Gene) WHERE EXISTS { (g)-[:EXPRESSED_IN]->() }
WITH g ORDER BY g.key
WITH collect(g) AS genes
UNWIND range(0, size(genes) - 1) AS rank
WITH genes[rank] AS g, rank WHERE g.site_rank IS NULL OR g.site_rank <> rank
SET g.site_rank = rank;
MATCH (g:Gene)-[e:EXPRESSED_IN]->()
WITH e.site AS site, g.site_rank AS rank ORDER BY site, rank
WITH site, collect(rank) AS ranks
MERGE (s:Site {key: site})
WITH s, ranks WHERE s.gene_ranks IS NULL OR s.gene_ranks <> ranks
SET s.gene_ranks = ranks;
MATCH (s:Site) WHERE NOT EXISTS { MATCH ()-[e:EXPRESSED_IN]->() WHERE e.site = s.key }
DELETE s;
