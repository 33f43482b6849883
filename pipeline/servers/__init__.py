"""Local servers the project provisions itself: Neo4j from Maven Central, a Prefect server."""
