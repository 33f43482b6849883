// First statement of the lock transaction: MERGE + SET takes the node's write lock, so no
// other run can read or change the holder until this transaction ends.
MERGE (l:IngestLock {name: $name})
SET l.claimed_by_run_id = $run_id
RETURN l.run_id AS run_id, l.pid AS pid, l.host AS host, l.heartbeat_at AS heartbeat_at,
       l.acquired_at AS acquired_at, l.source AS source
