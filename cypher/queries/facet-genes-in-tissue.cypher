// Chicken genes of one of the site's browse facets (a pathway, body system or category
// from gene_index.json, e.g. WNT, Neural, Transcription Factor) expressed in a structure
// (optionally with its parts) within a stage range; with images and stages seen.
// @param facet: string (required) the facet as the site names it (case-insensitive), e.g. WNT
// @param kind: facet_kind = null only facets of this kind: system, pathway or category
// @param structure: structure (required) a structure name, synonym or key, e.g. heart
// @param include_parts: bool = true also count expression in parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 100 at most this many rows, most images first
MATCH (f:Facet)
WHERE toLower(f.name) = toLower($facet) AND ($kind IS NULL OR f.kind = $kind)
MATCH (g:Gene)-[:IN_FACET]->(f)
WITH DISTINCT g
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT g, a  // a part reached along two part-of paths counts once
MATCH (g)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
WITH g, sum(e.image_count) AS images, collect(DISTINCT e.stage_key) AS stages
RETURN g.symbol AS symbol, g.name AS name, images, stages,
       COLLECT { MATCH (g)-[:IN_FACET]->(x:Facet) RETURN x.key ORDER BY x.key } AS facets
ORDER BY images DESC, symbol
LIMIT $limit
