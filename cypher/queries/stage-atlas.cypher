// At one stage: the structures with expression and how many genes are expressed in each.
// @param stage: stage (required) e.g. HH10, stage 10, 10, EGK XII
// @param limit: int = 10000 at most this many rows

// Read from the (:Site) nodes of the stage (cypher/load/sites.cypher), found by the index on
// their `stage_ordinal`: one per structure with expression there, carrying its distinct genes
// (`gene_count`) and their images (`image_total`), so the answer costs the same at any corpus
// size (~100 sites), where summing the stage's EXPRESSED_IN edges read 127k index entries for
// HH10 at 25x (p95 71-120 ms). A site key names one structure (`<structure key> @ <stage
// key>`, structure keys are slugs). Stages that share an ordinal (a sub-stage and the next
// stage's: HH8+ and HH9- are both 22.5; no such pair in the corpus today) give a structure
// several sites: its genes are then the union of their rank lists.
// Like the other site readers, it answers as of the last sync's end (README).
MATCH (s:Site)
WHERE s.stage_ordinal = $stage
WITH split(s.key, ' @ ')[0] AS structure_key, collect(s) AS sites
CALL (sites) {
  UNWIND CASE WHEN size(sites) > 1 THEN sites ELSE [] END AS s
  UNWIND s.gene_ranks AS rank
  RETURN count(DISTINCT rank) AS merged
}
WITH structure_key,
     CASE WHEN size(sites) = 1 THEN sites[0].gene_count ELSE merged END AS genes,
     reduce(n = 0, s IN sites | n + s.image_total) AS images
MATCH (a:AnatomicalStructure {key: structure_key})
RETURN a.key AS structure_key, a.name AS structure, genes, images
ORDER BY genes DESC, structure
LIMIT $limit
