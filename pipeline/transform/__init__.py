"""Transform: raw pages -> validated, normalised records (pure functions, no Neo4j).

The page model, species, and the curated stage and anatomy vocabularies (`vocab/`)."""
