// Everything needed to rebuild one page's front matter from the graph alone.
// $symbol or $path selects the page (one of them is null).
MATCH (p:Page)-[:DESCRIBES]->(g:Gene)
WHERE p.path = $path OR ($path IS NULL AND g.symbol = $symbol)
RETURN p {.*} AS page,
       g {.*} AS gene,
       COLLECT { MATCH (g)-[:HAS_IMAGE]->(i:Image) RETURN i {.*} AS i ORDER BY i.position } AS images,
       COLLECT { MATCH (g)-[:HAS_ORTHOLOG_ROW]->(r:OrthologRow) RETURN r {.*} AS r ORDER BY r.position } AS orthologs,
       COLLECT { MATCH (g)-[d:DESCRIBED_BY]->(:Source) RETURN d {.*} AS d ORDER BY d.position } AS sources,
       COLLECT { MATCH (g)-[c:CITES]->(:Publication) RETURN c {.*} AS c ORDER BY c.position } AS papers
ORDER BY p.path
