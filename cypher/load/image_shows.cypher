// Each location mention of an image: original label and position kept on the edge.
// $rows: [{image_key, structure_key, position, label}]
UNWIND $rows AS row
MATCH (i:Image {key: row.image_key})
MATCH (a:AnatomicalStructure {key: row.structure_key})
CREATE (i)-[:SHOWS {position: row.position, label: row.label}]->(a)
