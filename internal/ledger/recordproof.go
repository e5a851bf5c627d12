package ledger

// RecordProof is what GET /api/v1/{collection}/{id}/proof returns: where a
// record version sits in the log and how to check it.
type RecordProof struct {
	Collection string `json:"collection"`
	ID         string `json:"id"`
	Version    int    `json:"version"`
	LeafIndex  int64  `json:"leaf_index"`
	// Leaf is the logged entry; RebuildLeaf recomputes it from the record
	// body and FieldSecrets.
	Leaf         []byte        `json:"leaf"`
	FieldSecrets []FieldSecret `json:"field_secrets,omitempty"`
	// Checkpoint is the signed note the proof leads to, with cosignatures.
	Checkpoint     string `json:"checkpoint"`
	TreeSize       int64  `json:"tree_size"`
	RootHash       Hash   `json:"root_hash"`
	InclusionProof []Hash `json:"inclusion_proof"`
	// Receipt is the same proof as a c2sp.org/tlog-proof.
	Receipt string `json:"receipt"`
	// Witnessed says whether the checkpoint carries cosignatures from at
	// least Quorum of the configured witnesses.
	Witnessed    bool `json:"witnessed"`
	Cosignatures int  `json:"cosignatures"`
	Quorum       int  `json:"quorum"`
}
