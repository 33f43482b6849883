// Which of the violators `page_invariants` reported still exist, read in a new transaction.
// The key (or path) guards against a deleted node's id being given to a new node.
// $seen: [[elementId, key or path]]
UNWIND $seen AS seen
MATCH (n) WHERE elementId(n) = seen[0] AND coalesce(n.key, n.path) = seen[1]
RETURN seen[0] AS id
