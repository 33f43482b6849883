// Whether garbage collection is owed by an earlier run that died after writing.
OPTIONAL MATCH (l:IngestLock {name: $name})
RETURN coalesce(l.gc_pending, false) AS pending
