// Before the release's data files are (re)applied: remove everything they contributed.
// Facets and DataFile nodes belong to the data files alone; Publications keep what the
// pages say of them (key, pubmed_id, doi) and lose what papers.json said.
MATCH (d:DataFile) DETACH DELETE d;
MATCH (f:Facet) DETACH DELETE f;
MATCH (:Source)-[r:RESOLVES_TO]->(:Publication) DELETE r;
MATCH (p:Publication) WHERE p.listed IS NOT NULL
REMOVE p.listed, p.citations, p.title, p.authors, p.journal, p.year, p.url, p.pmc_id;
