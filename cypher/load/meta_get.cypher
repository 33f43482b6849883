// The fingerprint of the vocabularies the graph was built with.
OPTIONAL MATCH (m:GraphMeta {key: 'vocabulary'})
RETURN m.fingerprint AS fingerprint
