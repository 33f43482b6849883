// Derived after every sync that changed pages (like ortholog_ids): an ortholog gene
// HAS_PHENOTYPE an OMIM entry / zebrafish process term when a row naming it lists it
// (OrthologRow.omim_ids / process_terms, read from the row's phenotypes text). Recomputed
// from all rows, so the result does not depend on which page was loaded first.
MATCH (o:Gene)-[h:HAS_PHENOTYPE]->(t:OmimEntry)
WHERE NOT EXISTS { MATCH (o)<-[:NAMES]-(r:OrthologRow) WHERE t.mim_id IN r.omim_ids }
DELETE h;
MATCH (o:Gene)-[h:HAS_PHENOTYPE]->(t:ProcessTerm)
WHERE NOT EXISTS { MATCH (o)<-[:NAMES]-(r:OrthologRow) WHERE t.name IN r.process_terms }
DELETE h;
MATCH (r:OrthologRow)-[:NAMES]->(o:Gene) WHERE r.omim_ids IS NOT NULL
UNWIND r.omim_ids AS mim_id
MERGE (t:OmimEntry {mim_id: mim_id})
MERGE (o)-[:HAS_PHENOTYPE]->(t);
MATCH (r:OrthologRow)-[:NAMES]->(o:Gene) WHERE r.process_terms IS NOT NULL
UNWIND r.process_terms AS name
MERGE (t:ProcessTerm {name: name})
MERGE (o)-[:HAS_PHENOTYPE]->(t);
MATCH (t:OmimEntry) WHERE NOT (t)<-[:HAS_PHENOTYPE]-()
DETACH DELETE t;
MATCH (t:ProcessTerm) WHERE NOT (t)<-[:HAS_PHENOTYPE]-()
DETACH DELETE t;
