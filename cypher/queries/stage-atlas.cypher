// At one stage: the structures with expression and how many genes are expressed in each.
// @param stage: stage (required) e.g. HH10, stage 10, 10, EGK XII
// @param limit: int = 10000 at most this many rows

// Grouped by the structure node, its key and name read once per structure rather than once
// per edge; only genes have EXPRESSED_IN edges and they end in structures, so no label test
// either: a third of the db hits of reading them per edge (760,000 -> 254,000 for HH10 at 25x).
MATCH (g)-[e:EXPRESSED_IN]->(a)
WHERE e.stage_ordinal = $stage
WITH a, count(DISTINCT g) AS genes, sum(e.image_count) AS images
RETURN a.key AS structure_key, a.name AS structure, genes, images
ORDER BY genes DESC, structure
LIMIT $limit
