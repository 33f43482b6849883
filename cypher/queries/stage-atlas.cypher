// At one stage: the structures with expression and how many genes are expressed in each.
// @param stage: stage (required) e.g. HH10, stage 10, 10, EGK XII
// @param limit: int = 10000 at most this many rows
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a:AnatomicalStructure)
WHERE e.stage_ordinal = $stage
RETURN a.key AS structure_key, a.name AS structure, count(DISTINCT g) AS genes,
       sum(e.image_count) AS images
ORDER BY genes DESC, structure
LIMIT $limit
