// part_of hierarchy of the curated anatomy: forebrain -> brain -> central nervous system...
// $rows: [{child, parent}]
UNWIND $rows AS row
MATCH (c:AnatomicalStructure {key: row.child})
MATCH (p:AnatomicalStructure {key: row.parent})
MERGE (c)-[:PART_OF]->(p)
