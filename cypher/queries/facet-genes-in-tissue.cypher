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
// The facet's genes become one list and the structure's edges are filtered by it: from each
// facet gene to each part (the old text) was an Expand(Into) per (gene, part) pair, 1.3M db
// hits for Neural (1.2k genes) in heart (12 parts) at 1x; this reads the parts' edges in
// range once, as genes-in-tissue does (25k).
// The facet is sought by its lower-cased name (index facet_name_lower), not by a scan.
MATCH (f:Facet {name_lower: toLower($facet)})
WHERE $kind IS NULL OR f.kind = $kind
MATCH (m:Gene)-[:IN_FACET]->(f)
WITH collect(DISTINCT m) AS members
WHERE size(members) > 0
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (a:AnatomicalStructure)-[:PART_OF*0..]->(root)
WHERE $include_parts OR a = root
WITH DISTINCT a, members  // a part reached along two part-of paths counts once
MATCH (g)-[e:EXPRESSED_IN]->(a)
WHERE ($from_stage IS NULL OR e.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR e.stage_ordinal <= $to_stage)
  AND g IN members
WITH g, sum(e.image_count) AS images, collect(DISTINCT e.stage_key) AS stages
RETURN g.symbol AS symbol, g.name AS name, images, stages,
       COLLECT { MATCH (g)-[:IN_FACET]->(x:Facet) RETURN x.key ORDER BY x.key } AS facets
ORDER BY images DESC, symbol
LIMIT $limit
