// After the schema statements: wait until every index is online (populated), so that the
// first load's MERGEs seek them instead of scanning; 300 s at most, then the call fails.
CALL db.awaitIndexes(300)
