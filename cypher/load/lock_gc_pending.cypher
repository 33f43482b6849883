// Run bookkeeping on the lock node (not part of the graph's content): set before a run first
// writes, cleared once garbage collection has finished, so a run that died in between is
// followed by a run that collects garbage even when every page is unchanged.
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
MERGE (l:IngestLock {name: $name})
SET l.gc_pending = $pending
