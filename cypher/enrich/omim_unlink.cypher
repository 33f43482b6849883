// Drop OMIM_ANNOTATED links the database no longer gives (the others are kept as they are).
// $rows: [{key, omim_ids}]
UNWIND $rows AS row
MATCH (o:Gene {key: row.key})-[r:OMIM_ANNOTATED]->(m:OmimEntry)
WHERE NOT m.mim_id IN row.omim_ids
DELETE r
