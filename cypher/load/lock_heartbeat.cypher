// The holder proves it is alive; a lock without heartbeat for long is considered stale.
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
MATCH (l:IngestLock {name: $name}) WHERE l.run_id = $run_id
SET l.heartbeat_at = $now
RETURN count(l) AS held
