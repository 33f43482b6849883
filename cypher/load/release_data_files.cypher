// One node per data file of the release: its hash (the sync compares it) and how it went.
// $rows: [{path, sha256, entries, problems}]
UNWIND $rows AS row
CREATE (d:DataFile)
SET d = row
