// The genes an enrichment database annotates: ortholog genes of its taxon with an NCBI id.
// $taxon_id: the database's taxon (9606 for org.Hs.eg.db).
MATCH (o:Gene {taxon_id: $taxon_id})
WHERE o.ncbi_id IS NOT NULL AND NOT (o)<-[:DESCRIBES]-(:Page)
RETURN o.key AS key, o.ncbi_id AS ncbi_id
ORDER BY key
