// Undo one enrichment: its properties ($cleared: each `ann_*` name -> null), its
// OMIM_ANNOTATED links and its (:Enrichment) node. The page-derived graph is left as it was.
// $source: the database key.
MATCH (o:Gene {ann_source: $source})
SET o += $cleared
WITH o
OPTIONAL MATCH (o)-[r:OMIM_ANNOTATED]->(:OmimEntry)
DELETE r;
MATCH (e:Enrichment {key: $source})
DELETE e;
