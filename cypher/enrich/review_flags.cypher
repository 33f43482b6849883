// Flag the genes of this database that a curator should review: `ann_review: true` where some
// chick gene's page names the gene as an ortholog and the database's symbol neither equals
// the chick symbol nor is one of its aliases (ignoring case), or the database does not know
// the gene; no flag elsewhere (null removes it). Run in the transaction that writes the
// annotations, and at the end of every ingest even when the database cannot be read then
// (the flags need only the graph: pages may have changed a chick symbol or an orthology).
// `queries/ortholog-consistency` starts from the flags (index-led) and checks each pair again
// with the same test, kept identical in the two files (a unit test compares the blocks
// between the `mismatch` markers).
// $source: the database key.
MATCH (o:Gene {ann_source: $source})
WITH o, EXISTS {
  // BEGIN mismatch
  MATCH (p:Page)-[:DESCRIBES]->(g:Gene)-[:ORTHOLOG_OF]->(o)
  WHERE (o.ann_symbol IS NULL
     OR (toUpper(o.ann_symbol) <> toUpper(g.symbol)
         AND NOT toUpper(g.symbol) IN [alias IN coalesce(o.ann_aliases, []) | toUpper(alias)]))
  // END mismatch
} AS review
SET o.ann_review = CASE WHEN review THEN true END
