// The last completed ingestion run: what a dump says it was built from.
MATCH (r:IngestRun {status: 'completed'})
RETURN r.run_id AS run_id, r.source AS source, r.commit AS commit, r.finished_at AS finished_at
ORDER BY r.finished_at DESC
LIMIT 1
