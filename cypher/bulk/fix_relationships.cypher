// Bulk import: the same as fix_nodes.cypher for relationships (no marker label: every
// relationship is scanned once, after the import, for its _chickgraph_bulk_fix group).
MATCH ()-[x]->()
WHERE x._chickgraph_bulk_fix IS NOT NULL
CALL (x) {
  SET x += $fixes[x._chickgraph_bulk_fix]
  REMOVE x._chickgraph_bulk_fix
} IN TRANSACTIONS OF 10000 ROWS
