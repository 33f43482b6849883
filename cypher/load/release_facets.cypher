// The site's browse facets (gene_index.json): body systems, pathways, categories.
// $rows: [{key, kind, name}]
UNWIND $rows AS row
CREATE (f:Facet)
SET f = row
