// Publications neither listed by papers.json nor cited by a page any more.
MATCH (p:Publication) WHERE p.listed IS NULL AND NOT (p)<-[:CITES]-()
DETACH DELETE p
