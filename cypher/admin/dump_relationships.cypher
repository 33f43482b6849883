// Every relationship with the identity of its ends (sorted labels + key, path, name or MIM id)
// and its properties.
MATCH (a)-[r]->(b)
WHERE NOT a:IngestRun AND NOT b:IngestRun
RETURN COLLECT { UNWIND labels(a) AS l RETURN l ORDER BY l }
         + [coalesce(a.key, a.path, a.name, a.mim_id)] AS start,
       type(r) AS type,
       COLLECT { UNWIND labels(b) AS l RETURN l ORDER BY l }
         + [coalesce(b.key, b.path, b.name, b.mim_id)] AS end,
       properties(r) AS props
