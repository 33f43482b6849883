// What a reader must never see, even in the middle of a sync (each chunk of pages is one
// transaction): a page-owned node without its Page, an image without exactly one stage.
// Each column lists the violators as [elementId, key or path]. Neo4j reads at read-committed
// isolation: a node matched here can be deleted by a chunk's commit while this query runs (a
// changed page's images are deleted and re-created in one transaction) and then reads as a
// violation. So callers re-read every violator (`page_invariants_recheck`): one that is gone
// was deleted under the reader; one that is still there is a real half-written page.
RETURN COLLECT { MATCH (g:Gene)-[:HAS_IMAGE|HAS_ORTHOLOG_ROW]->()
                 WHERE NOT (:Page)-[:DESCRIBES]->(g)
                 RETURN DISTINCT [elementId(g), g.key] } AS genes_without_page,
       COLLECT { MATCH (p:Page) WHERE NOT (p)-[:DESCRIBES]->(:Gene)
                 RETURN [elementId(p), p.path] } AS pages_without_gene,
       COLLECT { MATCH (i:Image) WHERE NOT (:Gene)-[:HAS_IMAGE]->(i)
                 RETURN [elementId(i), i.key] } AS images_without_gene,
       COLLECT { MATCH (i:Image) WHERE COUNT { (i)-[:AT_STAGE]->() } <> 1
                 RETURN [elementId(i), i.key] } AS images_without_one_stage
