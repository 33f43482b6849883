// Remove what the given pages contributed: the Page, its chicken Gene and the nodes only that
// page owns (images, ortholog rows). Shared nodes stay; `gc` removes those left unreferenced.
// $paths: list of page paths.
UNWIND $paths AS path
MATCH (p:Page {path: path})
OPTIONAL MATCH (p)-[:DESCRIBES]->(g:Gene)
CALL (g) {
  OPTIONAL MATCH (g)-[:HAS_IMAGE|HAS_ORTHOLOG_ROW]->(owned)
  DETACH DELETE owned
}
DETACH DELETE g, p
