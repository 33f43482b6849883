// Derived identifiers of genes named by ortholog rows, recomputed from all rows naming
// them (sorted), so the result does not depend on which page was loaded first.
MATCH (o:Gene) WHERE NOT (o)<-[:DESCRIBES]-(:Page)
SET o.ensembl_ids = COLLECT { MATCH (o)<-[n:NAMES]-() WHERE n.ensembl_id IS NOT NULL
                             RETURN DISTINCT n.ensembl_id AS id ORDER BY id },
    o.mod_ids = COLLECT { MATCH (o)<-[n:NAMES]-() WHERE n.mod_id IS NOT NULL
                         RETURN DISTINCT n.mod_id AS id ORDER BY id },
    o.symbols = COLLECT { MATCH (o)<-[:NAMES]-(r:OrthologRow) WHERE r.symbol IS NOT NULL
                         RETURN DISTINCT r.symbol AS s ORDER BY s };
