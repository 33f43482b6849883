// During a sync, a rewritten page's chicken gene is a new node: it has no `site_rank` until
// derive_sites runs at the end of the sync, and until then the (:Site) lists hold the ranks
// as they were. The new node of the same key takes the old node's rank, so coexpressed,
// genes-in-tissue and phenotype-orthologs keep finding the gene through those lists (readers
// see its expression as it was before the sync) instead of losing it for the rest of the
// sync. derive_sites then recomputes every rank from the edges, as for a fresh load.
// $rows: [{key, rank}] as load/detach_pages returned them
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MATCH (g:Gene {key: row.key})
SET g.site_rank = row.rank
