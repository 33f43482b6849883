// The record of an applied enrichment: which database (fingerprint, source date) and counts.
// Its presence is what makes every later ingest re-apply the database.
// $key: database key; $props: scalar properties.
MERGE (e:Enrichment {key: $key})
SET e += $props
