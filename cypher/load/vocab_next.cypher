// Developmental order: EGK I -> ... -> EGK XIV -> HH1 -> ... -> HH46.
// $rows: [{from, to}]
UNWIND $rows AS row
MATCH (a:DevelopmentalStage {key: row.from})
MATCH (b:DevelopmentalStage {key: row.to})
MERGE (a)-[:NEXT]->(b)
