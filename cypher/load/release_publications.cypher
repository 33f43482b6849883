// papers.json entries. Identity properties as a page would set them (a function of the key);
// the rest is what papers.json says, removed again by release_reset.
// $rows: [{key, pubmed_id?, pmc_id?, doi?, citations, title?, authors?, journal?, year?, url?}]
UNWIND $rows AS row
MERGE (p:Publication {key: row.key})
SET p += row, p.listed = true
