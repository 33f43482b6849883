// The holder proves it is alive; a lock without heartbeat for long is considered stale.
MATCH (l:IngestLock {name: $name}) WHERE l.run_id = $run_id
SET l.heartbeat_at = $now
RETURN count(l) AS held
