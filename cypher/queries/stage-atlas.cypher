// At one stage: the structures with expression and how many genes are expressed in each.
// @param stage: stage (required) e.g. HH10, stage 10, 10, EGK XII
// @param limit: int = 10000 at most this many rows

// Grouped by the structure node, its key and name read once per structure rather than once
// per edge; only genes have EXPRESSED_IN edges and they end in structures, so no label test
// either: a third of the db hits of reading them per edge (760,000 -> 254,000 for HH10 at 25x).
// The index expressed_in_stage_images holds each edge's stage ordinal and image count: the
// images are summed from the index, no edge's properties are read (half the db hits, 184 ->
// 116 ms p95 at 25x). A composite index is used only with a predicate on each of its
// properties, hence `image_count IS NOT NULL` (true of every EXPRESSED_IN edge).
MATCH (g)-[e:EXPRESSED_IN]->(a)
WHERE e.stage_ordinal = $stage AND e.image_count IS NOT NULL
WITH a, count(DISTINCT g) AS genes, sum(e.image_count) AS images
RETURN a.key AS structure_key, a.name AS structure, genes, images
ORDER BY genes DESC, structure
LIMIT $limit
