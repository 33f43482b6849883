// Curated developmental stages (config/stages.yaml, checked against GgalDv) and their period.
// $rows: [{props: {key, ...}, period: {key, name} | null}]
UNWIND $rows AS row
MERGE (s:DevelopmentalStage {key: row.props.key})
SET s = row.props
WITH s, row
WHERE row.period IS NOT NULL
MERGE (p:DevelopmentalPeriod {key: row.period.key})
SET p = row.period
MERGE (s)-[:DURING]->(p)
