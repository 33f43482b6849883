// Every node except run history, with its labels and properties, for graph comparison; one
// row per label combination (few large rows stream far faster than one row per node).
MATCH (n)
WHERE NOT n:IngestRun AND NOT n:IngestLock
RETURN labels(n) AS labels, collect(properties(n)) AS props
