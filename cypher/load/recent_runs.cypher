// The most recent ingestion runs. $limit: how many.
MATCH (r:IngestRun)
RETURN r {.*} AS run
ORDER BY r.started_at DESC
LIMIT $limit
