// Who holds the ingest lock, if anyone: a dump refuses to freeze a run half-way.
// $name: the lock's name.
OPTIONAL MATCH (l:IngestLock {name: $name})
RETURN l.run_id AS run_id, l.pid AS pid, l.host AS host, l.heartbeat_at AS heartbeat_at,
       l.source AS source
