// Link annotated genes to the OMIM entries the pages created (MATCH: an enrichment never
// creates an OmimEntry node, so it adds no page-derived node).
// $rows: [{key, omim_ids}]
UNWIND $rows AS row
MATCH (o:Gene {key: row.key})
UNWIND row.omim_ids AS mim_id
MATCH (m:OmimEntry {mim_id: mim_id})
MERGE (o)-[:OMIM_ANNOTATED]->(m)
