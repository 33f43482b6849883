// Chicken genes, one per page, with their species. SET g = props replaces every property,
// so a re-load leaves exactly what the page says now.
// $rows: [{key, props, species: {key, name, taxon_id, common_name}}]
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $rows AS row
MERGE (g:Gene {key: row.key})
SET g = row.props
MERGE (s:Species {key: row.species.key})
ON CREATE SET s = row.species
MERGE (g)-[:IN_SPECIES]->(s)
