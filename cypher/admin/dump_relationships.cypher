// Every relationship with the identity of its ends (labels + key, path, name or MIM id) and
// its properties, one row per start node: 400,000 one-relationship rows cost the Python
// driver two socket reads each (5x slower on the whole corpus than these ~70,000 rows).
// Labels come unsorted: graph_dump sorts them in Python (a per-row COLLECT subquery sorting
// them here made the query 3x slower).
MATCH (a)
WHERE NOT a:IngestRun
CALL (a) {
  MATCH (a)-[r]->(b)
  WHERE NOT b:IngestRun
  RETURN collect([type(r), labels(b), coalesce(b.key, b.path, b.name, b.mim_id),
                  properties(r)]) AS outgoing
}
WITH a, outgoing
WHERE size(outgoing) > 0
RETURN labels(a) AS start_labels, coalesce(a.key, a.path, a.name, a.mim_id) AS start, outgoing
