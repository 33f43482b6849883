// The cross-species question: genes of another species (human by default) whose chick
// orthologs are expressed in a structure (with its parts) within a stage range; `symbol` and
// `name` are the annotation database's (`chickgraph enrich human`), null where unknown.
// @param structure: structure (required) a structure name, synonym or key, e.g. heart
// @param species: species = 9606 the other species (human, mouse, Xenopus, zebrafish, fly)
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, by gene key (interactive default: pass e.g. 10000 for all)

// An ortholog Gene carries its species' `taxon_id` (the same as its IN_SPECIES Species'),
// so the species test needs no expansion to Species. The chick genes are collected as node
// references and their symbols read for the rows kept only (after the LIMIT), not for every
// (ortholog, chick gene) pair: 20% less time at 25x, the same rows in the same order.
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a  // a part reached along two part-of paths counts once
MATCH (g:Gene)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH DISTINCT g
MATCH (g)-[:ORTHOLOG_OF]->(o:Gene)
WHERE o.taxon_id = $species
WITH o, collect(g) AS genes
WITH o, genes, o.key AS gene_key
ORDER BY gene_key
LIMIT $limit
RETURN gene_key, o.ann_symbol AS symbol, o.ann_name AS name, o.ncbi_id AS ncbi_id,
       o.ensembl_ids AS ensembl_ids, o.symbols AS symbols,
       reduce(seen = [], x IN genes | CASE WHEN x.symbol IN seen THEN seen
                                           ELSE seen + x.symbol END) AS chick_genes
ORDER BY gene_key
