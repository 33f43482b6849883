// What the release step needs from the graph: data file hashes and model versions, the live
// pages' chicken genes and the names of the sources they use. $deleted: pages leaving in
// this run.
CALL () {
  MATCH (d:DataFile) RETURN collect([d.path, d.sha256, d.model]) AS hashes
}
CALL () {
  MATCH (p:Page)-[:DESCRIBES]->(g:Gene) WHERE NOT p.path IN $deleted
  RETURN collect([g.key, g.symbol, g.gene_id]) AS genes
}
CALL () {
  MATCH (p:Page)-[:DESCRIBES]->(g:Gene)-[:HAS_IMAGE]->(:Image)-[:FROM_SOURCE]->(s:Source)
  WHERE NOT p.path IN $deleted
  RETURN collect(DISTINCT s.key) AS sources
}
CALL () {
  MATCH (p:Page)-[:DESCRIBES]->(:Gene)-[:HAS_ORTHOLOG_ROW]->(r:OrthologRow)
  WHERE NOT p.path IN $deleted AND r.phenotypes_unsplit
  RETURN count(r) AS unsplit
}
RETURN hashes, genes, sources, unsplit
