// The images, captions and sources behind "gene X in structure Y (at stage Z)".
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. ALAS2
// @param structure: structure (required) a structure name, synonym or key
// @param stage: stage = null only images at this stage
// @param include_parts: bool = false also images showing parts of the structure
// @param limit: int = 10000 at most this many rows
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (root:AnatomicalStructure {key: $structure})
MATCH (g)-[:HAS_IMAGE]->(i:Image)-[s:SHOWS]->(a:AnatomicalStructure)
WHERE ($stage IS NULL OR i.stage_ordinal = $stage)
  AND (a = root OR ($include_parts AND EXISTS { (a)-[:PART_OF*1..]->(root) }))
OPTIONAL MATCH (i)-[:FROM_SOURCE]->(src:Source)
RETURN i.position AS position, i.image_url AS image_url, i.thumbnail_url AS thumbnail_url,
       i.caption AS caption, i.stage AS stage_label, i.stage_key AS stage,
       collect(s.label) AS labels, src.name AS source
ORDER BY position
LIMIT $limit
