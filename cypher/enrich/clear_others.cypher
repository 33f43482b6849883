// Genes annotated by this database earlier that are no longer its targets lose every
// enrichment property ($cleared: each `ann_*` name -> null) and their OMIM_ANNOTATED links.
// $source: the database key; $keys: the keys of the genes annotated now.
MATCH (o:Gene {ann_source: $source})
WHERE NOT o.key IN $keys
SET o += $cleared
WITH o
OPTIONAL MATCH (o)-[r:OMIM_ANNOTATED]->(:OmimEntry)
DELETE r
