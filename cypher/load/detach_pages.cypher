// First step of replacing (or removing) pages inside a chunk's transaction: detach what the
// given pages contributed (the Page, its chicken Gene and the nodes only that page owns:
// images, ortholog rows) and free their unique keys, so the chunk's statements create the
// pages anew; `delete_detached` deletes these nodes once the chunk is written. Shared nodes
// stay; `gc` removes those left unreferenced.
//
// Why not DETACH DELETE here: every node a transaction has deleted makes each later index seek
// in it slower (Neo4j 5.26: ~7x per seek once a 200-page chunk's ~4,900 nodes are deleted;
// relationships deleted or keys removed cost nothing measurable), and the chunk's statements
// seek by key for every row. A release sync rewriting every page took 4x a fresh load.
// $paths: list of page paths. Returns the detached nodes' element ids, and the key and
// `site_rank` of each detached gene that had one (load/keep_site_ranks gives them to the new
// gene of the same key).
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $paths AS path
MATCH (p:Page {path: path})
OPTIONAL MATCH (p)-[:DESCRIBES]->(g:Gene)
OPTIONAL MATCH (g)-[:HAS_IMAGE|HAS_ORTHOLOG_ROW]->(owned)
WITH p, g, collect(owned) AS owned
UNWIND [p, g] + owned AS n
WITH DISTINCT n
WHERE n IS NOT NULL
CALL (n) {
  MATCH (n)-[r]-()
  DELETE r
}
WITH n, CASE WHEN n.site_rank IS NOT NULL THEN {key: n.key, rank: n.site_rank} END AS ranked
REMOVE n.key, n.path
RETURN collect(elementId(n)) AS detached, collect(ranked) AS ranks
