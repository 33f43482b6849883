// Bulk import: set the [] and [''] properties a CSV field cannot carry, then drop the marker.
// Run in an auto-commit session (it batches itself). $fixes: a list indexed by fix group,
// each a map {property: [] or ['']}; the nodes carry their group in _chickgraph_bulk_fix.
MATCH (x:ChickGraphBulkFix)
CALL (x) {
  SET x += $fixes[x._chickgraph_bulk_fix]
  REMOVE x:ChickGraphBulkFix, x._chickgraph_bulk_fix
} IN TRANSACTIONS OF 10000 ROWS
