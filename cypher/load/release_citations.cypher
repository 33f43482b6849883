// A citation-shaped image source resolves to the papers.json entry it names.
// $rows: [{source_key, publication_key}]
UNWIND $rows AS row
MATCH (s:Source {key: row.source_key})
MATCH (p:Publication {key: row.publication_key})
CREATE (s)-[:RESOLVES_TO]->(p)
