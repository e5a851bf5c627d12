package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
)

func (h *Handler) proof(w http.ResponseWriter, r *http.Request) {
	c, ok := collection(w, r)
	if !ok {
		return
	}
	if h.ledger == nil {
		writeProblem(w, Problem{Status: http.StatusServiceUnavailable, Detail: "this server runs without a ledger"})
		return
	}
	version, ok := versionParam(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	row, err := h.Store.Get(ctx, c, r.PathValue("id"), version)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	if !canRead(ActorOf(r), row) {
		writeProblem(w, Problem{Status: http.StatusNotFound})
		return
	}
	if row.LeafIndex == nil {
		writeProblem(w, Problem{Status: http.StatusNotFound, Title: "Not in the log",
			Detail: "only public record versions are logged; this version is " + string(row.Visibility)})
		return
	}
	l := h.ledger
	receipt, err := l.Receipt(ctx, *row.LeafIndex)
	if errors.Is(err, ledger.ErrNotYetCovered) || errors.Is(err, ledger.ErrNoCheckpoint) {
		w.Header().Set("Retry-After", "2")
		writeProblem(w, Problem{Status: http.StatusServiceUnavailable, Title: "Not yet in a signed checkpoint",
			Detail: "the record was logged at index " + strconv.FormatInt(*row.LeafIndex, 10) + " but no checkpoint covers it yet; retry in a few seconds"})
		return
	}
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	leaves, err := l.Storage().ReadEntries(ctx, *row.LeafIndex, *row.LeafIndex+1)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p := ledger.RecordProof{Collection: row.Collection, ID: row.ID, Version: row.Version, LeafIndex: *row.LeafIndex,
		Leaf: leaves[0], Checkpoint: string(receipt.Checkpoint), Receipt: string(receipt.Marshal())}
	salts, err := h.Store.FieldSalts(ctx, row.Collection, row.ID, row.Version)
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p.FieldSecrets = ledger.SecretsOf(salts)
	for _, x := range receipt.Hashes {
		p.InclusionProof = append(p.InclusionProof, x)
	}
	signed, err := note.Open(receipt.Checkpoint, note.VerifierList(l.Verifier()))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	cp, err := c2sp.ParseCheckpoint([]byte(signed.Text))
	if err != nil {
		h.writeError(w, r, err)
		return
	}
	p.TreeSize, p.RootHash = cp.Size, cp.Hash
	if n, err := note.Open(receipt.Checkpoint, note.VerifierList(l.Witnesses()...)); err == nil {
		p.Cosignatures = len(n.Sigs)
	}
	p.Quorum = l.Quorum()
	p.Witnessed = len(l.Witnesses()) > 0 && p.Cosignatures >= p.Quorum
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(p)
}

// setLogStatus says how far a logged record is vouched for: "witnessed"
// (in a checkpoint cosigned by enough witnesses), "signed" (in a checkpoint
// signed by the log) or "pending" (logged, awaiting the next checkpoint).
func (h *Handler) setLogStatus(w http.ResponseWriter, r *http.Request, index int64) {
	if h.ledger == nil {
		return
	}
	c, err := h.ledger.Coverage(r.Context(), index)
	if err != nil {
		return
	}
	status := "pending"
	switch {
	case c.Witnessed && c.Signed:
		status = "witnessed"
	case c.Signed:
		status = "signed"
	}
	w.Header().Set("Candor-Log-Status", status)
}
