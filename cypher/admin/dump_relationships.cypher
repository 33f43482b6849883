// Every relationship with the identity of its ends (key or path) and its properties.
MATCH (a)-[r]->(b)
WHERE NOT a:IngestRun AND NOT b:IngestRun
RETURN coalesce(a.key, a.path, a.name) AS start, type(r) AS type,
       coalesce(b.key, b.path, b.name) AS end, properties(r) AS props
