// Delete every relationship, then every node, in batches (auto-commit transactions). Two
// passes so a dense node (a structure with 100k+ edges) is never deleted with all its
// relationships in one transaction. Tests and benchmarks only; the schema stays.
MATCH ()-[r]->()
CALL (r) { DELETE r } IN TRANSACTIONS OF 20000 ROWS;
MATCH (n)
CALL (n) { DELETE n } IN TRANSACTIONS OF 20000 ROWS;
