// Paths of all loaded pages, for exporting the whole graph page by page.
MATCH (p:Page) RETURN p.path AS path ORDER BY path
