// First start of the local server: the built-in user `neo4j` (password `neo4j`, which may only
// be changed) takes the generated password. Run against `system`. Parameters, so the password
// never appears in a command line, a log or a query string.
ALTER CURRENT USER SET PASSWORD FROM $initial TO $password
