// Derived after every sync that changed pages, after phenotype_links (writer.collect_garbage; the
// OMIM lists below read its HAS_PHENOTYPE edges): one (:Site) per (structure, stage) pair a gene
// is expressed at, keyed by EXPRESSED_IN's `site`, listing the genes expressed there as
// `gene_ranks` and, entry by entry, the images of each gene's edge there as `image_counts`; the
// same two lists kept to the genes with an ortholog that has an OMIM entry (`omim_gene_ranks`,
// `omim_image_counts`: phenotype-orthologs' default question, about a fifth of the entries;
// finding those genes from the OMIM side read 13k genes and 130k db hits at 25x, a third of the
// query); with the totals `stage-atlas` reads (`gene_count`: distinct genes, `image_total`: their
// images) and the stage's `stage_ordinal` (indexed), so that a stage's structures are its ~100
// sites, not its edges (127k db hits for HH10 at 25x). `coexpressed` unwinds the rank lists,
// `genes-in-tissue` and `phenotype-orthologs` both lists: at 25x, reading ALAS2's ~320k entries
// from the `site` index cost more than coexpressed's whole budget; read as lists they cost about
// half. The lists hold small integers, not keys: Neo4j packs an integer array into the bits its
// largest value needs, and integers group fast (lists of keys or of 63-bit hashes were 2-3x slower
// than the index).
//
// A gene's rank is its position in (symbol, key) order among the genes with EXPRESSED_IN
// edges: a function of the graph, so every load of the same pages gives the same ranks and
// lists; and the order the queries answer in, so a query ranks counts by (count, rank) with a
// plain ORDER BY ... LIMIT and reads only the genes it returns (ranking by symbol needs the
// gene of every entry; ranking counts first and then looking up the genes at or above the
// limit-th held a list per row and ran out of transaction memory at 25x with limit 1000).
//
// EXPRESSED_IN edges end at curated structures only, whose keys are slugs (the vocabulary
// refuses others), so a site key names one structure: genes-in-tissue finds a structure's
// sites by the prefix "structure key @ ".
//
// Each statement writes only what differs: a sync that changed no expression writes nothing
// here; a gene added early in symbol order shifts the ranks after it (all rewritten). The
// statements run in one transaction (writer.derive_sites): ranks and lists change together.
MATCH (g:Gene) WHERE g.site_rank IS NOT NULL AND NOT EXISTS { (g)-[:EXPRESSED_IN]->() }
REMOVE g.site_rank;
MATCH (g:Gene) WHERE EXISTS { (g)-[:EXPRESSED_IN]->() }
WITH g ORDER BY g.symbol, g.key
WITH collect(g) AS genes
UNWIND range(0, size(genes) - 1) AS rank
WITH genes[rank] AS g, rank WHERE g.site_rank IS NULL OR g.site_rank <> rank
SET g.site_rank = rank;
MATCH (g:Gene) WHERE g.site_rank IS NOT NULL  // every gene with an edge, ranked just now
WITH g, g.site_rank AS rank,
     EXISTS { (g)-[:ORTHOLOG_OF]->()-[:HAS_PHENOTYPE]->(:OmimEntry) } AS omim
MATCH (g)-[e:EXPRESSED_IN]->()
WITH e.site AS site, rank, e.image_count AS images, e.stage_ordinal AS ordinal, omim
ORDER BY site, rank, images
WITH site, collect(rank) AS ranks, collect(images) AS counts, count(DISTINCT rank) AS genes,
     sum(images) AS total, min(ordinal) AS ordinal,  // one stage per site: one ordinal, or none
     collect(CASE WHEN omim THEN rank END) AS omim_ranks,  // collect skips the nulls
     collect(CASE WHEN omim THEN images END) AS omim_counts  // (image_count is never null)
MERGE (s:Site {key: site})
WITH s, ranks, counts, genes, total, ordinal, omim_ranks, omim_counts
WHERE s.gene_ranks IS NULL OR s.gene_ranks <> ranks
   OR s.image_counts IS NULL OR s.image_counts <> counts
   OR s.gene_count IS NULL OR s.gene_count <> genes OR s.image_total <> total
   OR coalesce(s.stage_ordinal, -1.0) <> coalesce(ordinal, -1.0)  // ordinals are >= 0
   OR s.omim_gene_ranks IS NULL OR s.omim_gene_ranks <> omim_ranks
   OR s.omim_image_counts IS NULL OR s.omim_image_counts <> omim_counts
SET s.gene_ranks = ranks, s.image_counts = counts, s.gene_count = genes, s.image_total = total,
    s.stage_ordinal = ordinal, s.omim_gene_ranks = omim_ranks, s.omim_image_counts = omim_counts;
// The sites that edges still name, collected in one pass over the edges, then every other
// site deleted: no plan to choose. As a NOT EXISTS per site, planned while the index's sample
// still described it empty (the server samples in the background: after a wipe or a first
// load the sample lags the index), the plan scanned all of the site index for each site: 40-70 s
// of a cold load of the corpus, against 0.1 s (even with the index hinted, which keeps the
// index but not the seek).
MATCH ()-[e:EXPRESSED_IN]->()
WITH collect(DISTINCT e.site) AS live
MATCH (s:Site) WHERE s.key IS NULL OR NOT s.key IN live
DELETE s;
