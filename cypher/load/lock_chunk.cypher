// Run bookkeeping inside a chunk's own write transaction (pipeline/load/writer.py): garbage
// collection is pending from this chunk on (load/lock_gc_pending), and the holder proves it is
// alive (load/lock_heartbeat). Both commit with the chunk or not at all.
MERGE (l:IngestLock {name: $name})
SET l.gc_pending = true
WITH l WHERE l.run_id = $run_id
SET l.heartbeat_at = $now
