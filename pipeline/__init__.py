"""ChickGraph: GEISHA chick-embryo expression pages into a Neo4j graph."""
