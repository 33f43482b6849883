// Before the curated vocabularies are (re)written: drop their structural edges and mark every
// node uncurated; the rewrite restores what the current vocabulary still has.
MATCH ()-[r:NEXT|PART_OF|DURING]->() DELETE r;
MATCH (n:DevelopmentalStage) WHERE n.curated SET n.curated = false;
MATCH (n:AnatomicalStructure) WHERE n.curated SET n.curated = false;
MATCH (n:DevelopmentalPeriod) DETACH DELETE n;
