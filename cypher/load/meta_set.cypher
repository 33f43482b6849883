// $fingerprint: hash of config/stages.yaml + config/anatomy.yaml + the transform version.
MERGE (m:GraphMeta {key: 'vocabulary'})
SET m.fingerprint = $fingerprint
