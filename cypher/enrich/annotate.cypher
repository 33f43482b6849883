// Write the enrichment properties of each target gene. `+=` with a null value removes the
// property, so the new database's values replace the old ones exactly.
// $rows: [{key, props: {ann_source, ann_symbol, ann_name, ann_aliases, ...}, omim_ids}]
UNWIND $rows AS row
MATCH (o:Gene {key: row.key})
SET o += row.props
