// Total nodes and relationships (count store: constant time), for a dump's manifest and
// the check after a load.
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
RETURN nodes, relationships
