// Last step of replacing (or removing) pages: delete the nodes `detach_pages` detached, after
// the chunk's statements (their index seeks stay fast; see detach_pages). They have no
// relationships and no keys left, so nothing written since can have reached them: a plain
// DELETE, which fails loudly if that ever stops being true.
// $ids: element ids returned by detach_pages in the same transaction.
// A chunk statement: Neo4j keeps its first plan (pipeline/load/writer.py, CHUNK_FILES)
CYPHER replan=skip
UNWIND $ids AS id
MATCH (n)
WHERE elementId(n) = id
DELETE n
