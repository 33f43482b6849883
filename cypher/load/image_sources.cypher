// Where an image comes from (GEISHA, or a paper such as "Cardozo et al. 2014").
// $rows: [{image_key, source_key}]
UNWIND $rows AS row
MATCH (i:Image {key: row.image_key})
MERGE (s:Source {key: row.source_key})
ON CREATE SET s.name = row.source_key
CREATE (i)-[:FROM_SOURCE]->(s)
