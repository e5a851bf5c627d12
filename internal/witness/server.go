// Package witness implements c2sp.org/tlog-witness: a server that cosigns
// checkpoints of the logs it knows once they are proven consistent with what
// it cosigned before, and the log-side client that gathers cosignatures.
package witness

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"golang.org/x/mod/sumdb/note"
)

// maxRequest bounds an add-checkpoint body: 63 proof lines and a checkpoint
// with a few dozen signatures fit easily.
const maxRequest = 64 << 10

// Server is a tlog-witness.
type Server struct {
	signer *c2sp.CosignatureSigner
	logs   map[string][]note.Verifier // by origin
	path   string

	mu    sync.Mutex // held from the old-size check to the persisted update
	state State

	// Logf records refused checkpoints (possible evidence of a misbehaving log).
	Logf func(format string, args ...any)
}

// State is what a witness remembers: the latest checkpoint it cosigned per log.
type State struct {
	Logs map[string]LogState `json:"logs"`
}

// LogState is the latest cosigned tree head of one log.
type LogState struct {
	Size       int64  `json:"size"`
	Root       string `json:"root"` // base64
	Checkpoint string `json:"checkpoint"`
}

// NewServer returns a witness signing with skey (see c2sp.GenerateCosignatureKey),
// trusting logs (origin → signed-note verifier keys), keeping state at path.
func NewServer(skey string, logs map[string][]string, path string) (*Server, error) {
	signer, err := c2sp.NewCosignatureSigner(skey)
	if err != nil {
		return nil, err
	}
	s := &Server{signer: signer, logs: map[string][]note.Verifier{}, path: path, state: State{Logs: map[string]LogState{}}}
	for origin, vkeys := range logs {
		for _, k := range vkeys {
			v, err := note.NewVerifier(k)
			if err != nil {
				return nil, fmt.Errorf("log %s: verifier key %q: %w", origin, k, err)
			}
			s.logs[origin] = append(s.logs[origin], v)
		}
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &s.state); err != nil {
			return nil, fmt.Errorf("witness state %s: %w", path, err)
		}
		if s.state.Logs == nil {
			s.state.Logs = map[string]LogState{}
		}
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("witness state: %w", err)
	}
	return s, nil
}

// Verifier returns the public key that checks this witness's cosignatures.
func (s *Server) Verifier() *c2sp.CosignatureVerifier { return s.signer.Verifier() }

// Register mounts POST /add-checkpoint on mux.
func (s *Server) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /add-checkpoint", s.addCheckpoint)
}

// Handler returns a handler serving only the witness API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.Register(mux)
	return mux
}

func (s *Server) addCheckpoint(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRequest))
	if err != nil {
		http.Error(w, "request body too large or unreadable", http.StatusBadRequest)
		return
	}
	req, err := c2sp.ParseAddCheckpoint(body)
	if err != nil {
		http.Error(w, "malformed request: "+err.Error(), http.StatusBadRequest)
		return
	}
	text, _, ok := bytes.Cut(req.Checkpoint, []byte("\n\n"))
	if !ok {
		http.Error(w, "malformed checkpoint: no signatures", http.StatusBadRequest)
		return
	}
	unverified, err := c2sp.ParseCheckpoint(append(text, '\n'))
	if err != nil {
		http.Error(w, "malformed checkpoint: "+err.Error(), http.StatusBadRequest)
		return
	}
	verifiers, ok := s.logs[unverified.Origin]
	if !ok {
		http.Error(w, "unknown log origin", http.StatusNotFound)
		return
	}
	n, err := note.Open(req.Checkpoint, note.VerifierList(verifiers...))
	if err != nil {
		http.Error(w, "no valid signature from a known key of this log", http.StatusForbidden)
		return
	}
	cp, err := c2sp.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		http.Error(w, "malformed checkpoint: "+err.Error(), http.StatusBadRequest)
		return
	}
	if req.OldSize > cp.Size {
		http.Error(w, "old size is larger than the checkpoint size", http.StatusBadRequest)
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	known := s.state.Logs[cp.Origin]
	if req.OldSize != known.Size {
		w.Header().Set("Content-Type", "text/x.tlog.size")
		w.WriteHeader(http.StatusConflict)
		fmt.Fprintf(w, "%d\n", known.Size)
		return
	}
	root := base64.StdEncoding.EncodeToString(cp.Hash[:])
	if req.OldSize == cp.Size {
		if req.OldSize > 0 && root != known.Root {
			s.logf("witness: %s: a second root hash for size %d:\n%s", cp.Origin, cp.Size, req.Checkpoint)
			http.Error(w, "checkpoint has the size of the cosigned one but a different root hash", http.StatusConflict)
			return
		}
	} else if err := s.checkConsistency(known, cp, req.Proof); err != nil {
		s.logf("witness: %s: inconsistent checkpoint (%v):\n%s", cp.Origin, err, req.Checkpoint)
		http.Error(w, "consistency proof does not verify", http.StatusUnprocessableEntity)
		return
	}

	if cp.Size != known.Size || known.Checkpoint == "" {
		next := s.state
		next.Logs = make(map[string]LogState, len(s.state.Logs)+1)
		for k, v := range s.state.Logs {
			next.Logs[k] = v
		}
		next.Logs[cp.Origin] = LogState{Size: cp.Size, Root: root, Checkpoint: string(req.Checkpoint)}
		if err := writeState(s.path, next); err != nil {
			s.logf("witness: saving state: %v", err)
			http.Error(w, "could not persist state", http.StatusInternalServerError)
			return
		}
		s.state = next
	}
	signed, err := note.Sign(&note.Note{Text: n.Text}, s.signer)
	if err != nil {
		http.Error(w, "signing failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write(signed[len(n.Text)+1:])
}

func (s *Server) checkConsistency(known LogState, cp c2sp.Checkpoint, proof [][c2sp.HashSize]byte) error {
	if known.Size == 0 {
		if len(proof) != 0 {
			return errors.New("proof must be empty when the old size is zero")
		}
		return nil
	}
	oldRoot, err := c2sp.ParseHash(known.Root)
	if err != nil {
		return fmt.Errorf("stored root: %w", err)
	}
	hs := make([]ledger.Hash, len(proof))
	for i := range proof {
		hs[i] = proof[i]
	}
	return ledger.VerifyConsistency(known.Size, cp.Size, hs, oldRoot, cp.Hash)
}

func (s *Server) logf(format string, args ...any) {
	if s.Logf != nil {
		s.Logf(format, args...)
	}
}

// writeState replaces the state file atomically: a crash leaves either the
// old or the new file, never a torn one.
func writeState(path string, st State) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// parseSize reads a text/x.tlog.size body.
func parseSize(b []byte) (int64, error) {
	s, ok := bytes.CutSuffix(b, []byte("\n"))
	if !ok {
		return 0, errors.New("size does not end in a newline")
	}
	return strconv.ParseInt(string(s), 10, 64)
}
