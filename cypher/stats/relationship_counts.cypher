// Relationships per type, from the count store. The type list is the graph model's.
MATCH ()-[r:DESCRIBES]->() RETURN 'DESCRIBES' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:IN_SPECIES]->() RETURN 'IN_SPECIES' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_ORTHOLOG_ROW]->() RETURN 'HAS_ORTHOLOG_ROW' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:NAMES]->() RETURN 'NAMES' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:ORTHOLOG_OF]->() RETURN 'ORTHOLOG_OF' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_IMAGE]->() RETURN 'HAS_IMAGE' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:AT_STAGE]->() RETURN 'AT_STAGE' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:FROM_SOURCE]->() RETURN 'FROM_SOURCE' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:SHOWS]->() RETURN 'SHOWS' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:EXPRESSED_IN]->() RETURN 'EXPRESSED_IN' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:DESCRIBED_BY]->() RETURN 'DESCRIBED_BY' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:CITES]->() RETURN 'CITES' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:NEXT]->() RETURN 'NEXT' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:SUBSTAGE_OF]->() RETURN 'SUBSTAGE_OF' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:DURING]->() RETURN 'DURING' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:PART_OF]->() RETURN 'PART_OF' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:HAS_PHENOTYPE]->() RETURN 'HAS_PHENOTYPE' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:IN_FACET]->() RETURN 'IN_FACET' AS type, count(r) AS count
UNION ALL
MATCH ()-[r:RESOLVES_TO]->() RETURN 'RESOLVES_TO' AS type, count(r) AS count
