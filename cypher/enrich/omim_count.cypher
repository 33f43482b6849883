// How many OMIM_ANNOTATED links the genes annotated by one database have.
// $source: the database key.
MATCH (o:Gene {ann_source: $source})-[r:OMIM_ANNOTATED]->(:OmimEntry)
RETURN count(r) AS links
