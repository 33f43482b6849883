// After a run that changed the graph and left it big enough (ingest.replan_min_nodes,
// pipeline/ingest/core.py worth_replanning): every index sampled again, the query caches cleared, so
// the next queries are planned on the graph as it is now. Neo4j samples indexes in the
// background, some time after they changed, and keeps a cached plan until its statistics
// diverge (and dbms.cypher.min_replan_interval, 10 s, has passed); until then a named query
// could run on a plan made for an empty or older graph: conserved-orthologs and
// ortholog-genes-in-tissue read ~1.9M db hits that way on the corpus, ~10k on fresh samples
// (bench/RESULTS.md, 2026-12-07 03:26). Waits until the sampling is done.
CALL db.prepareForReplanning()
