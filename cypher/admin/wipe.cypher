// Delete every node and relationship, in batches (auto-commit transaction). Tests and
// `chickgraph reset` only; the schema stays.
MATCH (n)
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
