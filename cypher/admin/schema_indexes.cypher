// The indexes with what decides whether cypher/schema.cypher is in place
// (pipeline/load/schema_state.py): a constraint's backing index carries the constraint's
// name as owningConstraint; a plain index of that name is not the constraint.
SHOW INDEXES YIELD name, state, owningConstraint
