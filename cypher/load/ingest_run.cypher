// One node per ingestion run: run-specific values live only here.
// $props: {run_id, source, commit, status, started_at, finished_at, pages_*, seconds}
MERGE (r:IngestRun {run_id: $props.run_id})
SET r = $props
