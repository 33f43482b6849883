// The site's browse facets (gene_index.json): body systems, pathways, categories.
// $rows: [{key, kind, name}]. `name_lower` is what facet-genes-in-tissue seeks (its index),
// made by Cypher's own toLower so that it equals the query's toLower($facet) for any name.
UNWIND $rows AS row
CREATE (f:Facet)
SET f = row, f.name_lower = toLower(row.name)
