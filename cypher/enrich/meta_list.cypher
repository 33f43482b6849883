// The enrichments applied to this graph.
MATCH (e:Enrichment)
RETURN e.key AS key, properties(e) AS props
ORDER BY key
