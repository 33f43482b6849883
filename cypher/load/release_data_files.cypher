// One node per data file of the release: its hash and the release model version (the sync
// compares both) and how it went. $rows: [{path, sha256, model, entries, problems}]
UNWIND $rows AS row
CREATE (d:DataFile)
SET d = row
