package sqlstore

// RecordInsertColumns lets the external benchmarks write record rows with
// the column list the store itself uses.
const RecordInsertColumns = recordInsertColumns
