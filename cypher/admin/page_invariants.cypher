// What a reader must never see, even in the middle of a sync (each chunk of pages is one
// transaction): a page-owned node without its Page, an image without exactly one stage.
RETURN COUNT { MATCH (g:Gene)-[:HAS_IMAGE|HAS_ORTHOLOG_ROW]->()
               WHERE NOT (:Page)-[:DESCRIBES]->(g) } AS genes_without_page,
       COUNT { MATCH (p:Page) WHERE NOT (p)-[:DESCRIBES]->(:Gene) } AS pages_without_gene,
       COUNT { MATCH (i:Image) WHERE NOT (:Gene)-[:HAS_IMAGE]->(i) } AS images_without_gene,
       COUNT { MATCH (i:Image) WHERE COUNT { (i)-[:AT_STAGE]->() } <> 1 }
         AS images_without_one_stage
