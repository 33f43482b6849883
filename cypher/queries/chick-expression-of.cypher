// Given a gene of another species by NCBI or Ensembl id (or a symbol where the ortholog
// table or an enrichment has one), the chick expression of its chicken orthologs, with the
// gene's symbol and name where an enrichment knows them (null otherwise).
// @param id: string (required) e.g. 211 (NCBI), ENSG00000023330 (Ensembl), or a symbol (ALAS1)
// @param limit: int = 10000 at most this many rows
CALL {
  MATCH (o:Gene {ncbi_id: $id}) RETURN o
  UNION
  MATCH (o:Gene {ensembl_id: $id}) RETURN o
  UNION
  MATCH (:OrthologRow)-[:NAMES {ensembl_id: $id}]->(o:Gene) RETURN o
  UNION
  MATCH (:OrthologRow {symbol: $id})-[:NAMES]->(o:Gene) RETURN o
  UNION
  MATCH (o:Gene {ann_symbol: $id}) RETURN o
}
MATCH (g:Gene)-[:ORTHOLOG_OF]->(o)
MATCH (g)-[e:EXPRESSED_IN]->(a:AnatomicalStructure)
RETURN o.key AS ortholog_key, o.ann_symbol AS ortholog_symbol, o.ann_name AS ortholog_name,
       g.symbol AS chick_symbol, a.name AS structure,
       e.stage_key AS stage, e.stage_ordinal AS stage_ordinal, e.image_count AS images
ORDER BY ortholog_key, chick_symbol, stage_ordinal, structure
LIMIT $limit
