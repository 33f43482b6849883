// Record this run as the holder (same transaction as lock_claim).
MATCH (l:IngestLock {name: $name})
SET l.run_id = $run_id, l.pid = $pid, l.host = $host, l.source = $source,
    l.acquired_at = $now, l.heartbeat_at = $now
