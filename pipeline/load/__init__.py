"""Load: records -> rows -> batched Cypher (`cypher/load/*.cypher`) in one transaction per chunk.

The driver helpers, the Cypher file loader, the ingest lock and the retry rules live here."""
