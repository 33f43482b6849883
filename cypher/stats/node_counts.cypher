// Nodes per label, from the count store (constant time). The label list is the graph model's.
MATCH (n:Page) RETURN 'Page' AS label, count(n) AS count
UNION ALL
MATCH (n:Gene) RETURN 'Gene' AS label, count(n) AS count
UNION ALL
MATCH (n:Species) RETURN 'Species' AS label, count(n) AS count
UNION ALL
MATCH (n:AnatomicalStructure) RETURN 'AnatomicalStructure' AS label, count(n) AS count
UNION ALL
MATCH (n:DevelopmentalStage) RETURN 'DevelopmentalStage' AS label, count(n) AS count
UNION ALL
MATCH (n:DevelopmentalPeriod) RETURN 'DevelopmentalPeriod' AS label, count(n) AS count
UNION ALL
MATCH (n:Image) RETURN 'Image' AS label, count(n) AS count
UNION ALL
MATCH (n:OrthologRow) RETURN 'OrthologRow' AS label, count(n) AS count
UNION ALL
MATCH (n:Source) RETURN 'Source' AS label, count(n) AS count
UNION ALL
MATCH (n:Publication) RETURN 'Publication' AS label, count(n) AS count
UNION ALL
MATCH (n:OmimEntry) RETURN 'OmimEntry' AS label, count(n) AS count
UNION ALL
MATCH (n:ProcessTerm) RETURN 'ProcessTerm' AS label, count(n) AS count
UNION ALL
MATCH (n:Facet) RETURN 'Facet' AS label, count(n) AS count
UNION ALL
MATCH (n:DataFile) RETURN 'DataFile' AS label, count(n) AS count
UNION ALL
MATCH (n:Site) RETURN 'Site' AS label, count(n) AS count
UNION ALL
MATCH (n:IngestRun) RETURN 'IngestRun' AS label, count(n) AS count
