// Derived identifiers of genes named by ortholog rows, recomputed from all rows naming
// them (sorted), so the result does not depend on which page was loaded first.
//
// Each gene's NAMES edges are read once, from the gene (CALL (o)), and the three lists sorted
// from what that read collected: no pattern here has a property predicate or a label an
// index or a scan could start from. Written as three COLLECT subqueries over the graph, one per
// list, the statement sometimes took 12 s instead of 0.3 s at the end of a cold load of the
// corpus (2 of 17 loads, by a timeline of the flow's steps): their plans are nested in the
// expression, out of EXPLAIN's sight, and one of them was planned badly. A chicken gene is
// the one a Page DESCRIBES; load/pages makes every DESCRIBES edge, each from a Page, so the
// degree says it (getDegree: no expand, no label to check).
MATCH (o:Gene) WHERE NOT (o)<-[:DESCRIBES]-()
CALL (o) {
  MATCH (o)<-[n:NAMES]-(r)
  RETURN collect(n.ensembl_id) AS ensembl_ids, collect(n.mod_id) AS mod_ids,
         collect(CASE WHEN r:OrthologRow THEN r.symbol END) AS symbols  // collect skips nulls
}
SET o.ensembl_ids = COLLECT { UNWIND ensembl_ids AS id RETURN DISTINCT id ORDER BY id },
    o.mod_ids = COLLECT { UNWIND mod_ids AS id RETURN DISTINCT id ORDER BY id },
    o.symbols = COLLECT { UNWIND symbols AS s RETURN DISTINCT s ORDER BY s };
