// Every node except run history, with its labels and properties, for graph comparison.
MATCH (n)
WHERE NOT n:IngestRun AND NOT n:IngestLock
RETURN labels(n) AS labels, properties(n) AS props
