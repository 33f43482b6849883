// Release the lock if this run holds it.
MATCH (l:IngestLock {name: $name}) WHERE l.run_id = $run_id
REMOVE l.run_id, l.pid, l.host, l.source, l.acquired_at, l.heartbeat_at, l.claimed_by_run_id
