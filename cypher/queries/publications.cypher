// The papers behind a chicken gene's expression: the publications its images' sources
// resolve to (papers.json), optionally only images showing a structure (with its parts)
// within a stage range; with the PubMed link and how many of the gene's images each backs.
// @param symbol: symbol (required) chicken gene symbol (any case), e.g. SHH
// @param structure: structure = null only images showing this structure (name, synonym or key)
// @param include_parts: bool = true also count images showing parts of the structure
// @param from_stage: stage = null first stage of the range (HH10, stage 10, 10...)
// @param to_stage: stage = null last stage of the range
// @param limit: int = 1000 at most this many rows, most images first
MATCH (:Page)-[:DESCRIBES]->(g:Gene {symbol: $symbol})
MATCH (g)-[:HAS_IMAGE]->(i:Image)-[:FROM_SOURCE]->(s:Source)-[:RESOLVES_TO]->(p:Publication)
WHERE ($from_stage IS NULL OR i.stage_ordinal >= $from_stage)
  AND ($to_stage IS NULL OR i.stage_ordinal <= $to_stage)
  AND ($structure IS NULL OR EXISTS {
    MATCH (i)-[:SHOWS]->(a:AnatomicalStructure)-[:PART_OF*0..]->(root:AnatomicalStructure)
    WHERE root.key = $structure AND ($include_parts OR a = root)
  })
WITH p, count(DISTINCT i) AS images, collect(DISTINCT s.name) AS sources
RETURN p.key AS publication, p.pubmed_id AS pubmed_id,
       CASE WHEN p.pubmed_id IS NOT NULL
            THEN 'https://pubmed.ncbi.nlm.nih.gov/' + p.pubmed_id + '/' ELSE p.url END AS url,
       p.title AS title, p.year AS year, p.citations AS citations, sources, images
ORDER BY images DESC, publication
LIMIT $limit
