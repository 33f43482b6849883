// Shared nodes are removed only when no page references them any more.
// (a chicken gene: one a Page DESCRIBES; every DESCRIBES edge is made by load/pages, from a Page,
// so the degree says it: no expand, no label a plan could start from; load/ortholog_ids)
MATCH (o:Gene) WHERE NOT (o)<-[:DESCRIBES]-() AND NOT (o)<-[:NAMES]-()
DETACH DELETE o;
MATCH (a:AnatomicalStructure) WHERE a.curated = false AND NOT (a)<-[:SHOWS]-()
DETACH DELETE a;
MATCH (s:DevelopmentalStage) WHERE s.curated = false AND NOT (s)<-[:AT_STAGE]-()
DETACH DELETE s;
MATCH (s:Source) WHERE NOT (s)<-[:FROM_SOURCE|DESCRIBED_BY]-()
DETACH DELETE s;
MATCH (p:Publication) WHERE NOT (p)<-[:CITES]-() AND p.listed IS NULL
DETACH DELETE p;
MATCH (s:Species) WHERE NOT (s)<-[:IN_SPECIES]-()
DETACH DELETE s;
