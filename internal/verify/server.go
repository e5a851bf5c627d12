// Package verify checks a Candor log from outside (against a server, with
// the checksum-database client of golang.org/x/mod) and from inside (the
// whole local database against its log).
package verify

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/candor-observatory/candor/internal/client"
	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/model"
)

// Options configure a check against a server.
type Options struct {
	Server string
	// StateFile keeps the last verified checkpoint between runs.
	StateFile string
	// LogKey is the log's verifier key; without it the state file's is used,
	// or the server's /log/key is trusted on first use.
	LogKey string
	// WitnessKeys are cosignature/v1 verifier keys; Quorum of them must cosign.
	WitnessKeys []string
	Quorum      int
	// Records are "collection/id" or "collection/id@version"; when empty,
	// Sample random log entries are checked instead.
	Records []string
	Sample  int
	// Full checks every log entry against the record the server serves.
	Full bool
	HTTP *http.Client
	Out  io.Writer
}

// State is what a verifier remembers of the log.
type State struct {
	Origin     string    `json:"origin"`
	LogKey     string    `json:"log_key"`
	Size       int64     `json:"size"`
	Root       string    `json:"root"`
	Checkpoint string    `json:"checkpoint"`
	Seen       time.Time `json:"seen"`
}

// LoadState reads a state file; a missing file is the empty state.
func LoadState(path string) (State, error) {
	var st State
	if path == "" {
		return st, nil
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(b, &st); err != nil {
		return st, fmt.Errorf("state file %s: %w", path, err)
	}
	return st, nil
}

// tiles lets tlog.TileHashReader fetch tlog-tiles from the server.
type tiles struct {
	ctx context.Context
	c   *client.Client
}

func (t tiles) Height() int { return ledger.TileHeight }

func (t tiles) ReadTiles(ts []tlog.Tile) ([][]byte, error) {
	out := make([][]byte, len(ts))
	for i, x := range ts {
		b, err := t.c.Tile(t.ctx, ledger.TileRef{Level: x.L, Index: x.N, Width: x.W})
		if err != nil {
			return nil, err
		}
		out[i] = b
	}
	return out, nil
}

func (t tiles) SaveTiles([]tlog.Tile, [][]byte) {}

// Remote is a log served by a Candor server, seen by a verifier that trusts
// a log key and some witness keys.
type Remote struct {
	c         *client.Client
	LogKey    string
	log       note.Verifier
	witnesses []note.Verifier
	quorum    int
	out       io.Writer
}

// Connect prepares checks of the log at o.Server. The log key is o.LogKey,
// else the one in st, else the server's own, trusted on first use.
func Connect(ctx context.Context, o Options, st State) (*Remote, error) {
	var copts []client.Option
	if o.HTTP != nil {
		copts = append(copts, client.WithHTTPClient(o.HTTP))
	}
	c, err := client.New(o.Server, copts...)
	if err != nil {
		return nil, fmt.Errorf("--server: %w", err)
	}
	r := &Remote{c: c, out: o.Out}
	if r.out == nil {
		r.out = io.Discard
	}
	if st.LogKey != "" && o.LogKey != "" && st.LogKey != o.LogKey {
		return nil, mismatch(Unsigned, "The log key given (%s) is not the one recorded in %s (%s).", o.LogKey, o.StateFile, st.LogKey)
	}
	r.LogKey = o.LogKey
	if r.LogKey == "" {
		r.LogKey = st.LogKey
	}
	if r.LogKey == "" {
		if r.LogKey, err = r.c.LogKey(ctx); err != nil {
			return nil, err
		}
		fmt.Fprintf(r.out, "trusting the log key the server gave on first use: %s\n", r.LogKey)
	}
	v, err := note.NewVerifier(r.LogKey)
	if err != nil {
		return nil, fmt.Errorf("log key: %w", err)
	}
	r.log = v
	for _, k := range o.WitnessKeys {
		w, err := c2sp.NewCosignatureVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("witness key: %w", err)
		}
		r.witnesses = append(r.witnesses, w)
	}
	r.quorum = o.Quorum
	if r.quorum == 0 {
		r.quorum = len(r.witnesses)
	}
	return r, nil
}

// Head is a checkpoint whose signature and witness quorum were verified.
type Head struct {
	Signed     []byte
	Checkpoint c2sp.Checkpoint
	// Cosigned maps each trusted witness that cosigned to its timestamp.
	Cosigned map[string]time.Time
	// Unverified counts signatures by keys the verifier does not know.
	Unverified int
	thr        tlog.HashReader
}

// Head fetches the checkpoint and checks the log's signature and the
// witnesses' cosignatures.
func (r *Remote) Head(ctx context.Context) (*Head, error) {
	signed, err := r.c.Checkpoint(ctx)
	if err != nil {
		return nil, err
	}
	h, err := CheckCheckpoint(signed, r.log, r.witnesses, r.quorum)
	if err != nil {
		return nil, err
	}
	h.thr = tlog.TileHashReader(tlog.Tree{N: h.Checkpoint.Size, Hash: tlog.Hash(h.Checkpoint.Hash)}, tiles{ctx, r.c})
	return h, nil
}

// CheckCheckpoint checks that signed is a checkpoint signed by the log key
// and cosigned by at least quorum of the witnesses.
func CheckCheckpoint(signed []byte, log note.Verifier, witnesses []note.Verifier, quorum int) (*Head, error) {
	n, err := note.Open(signed, note.VerifierList(append([]note.Verifier{log}, witnesses...)...))
	if err != nil {
		return nil, mismatch(Unsigned, "The checkpoint is not validly signed by the log key %s (%v).", log.Name(), err).
			advise("The server is not the log you trust, or its key changed.")
	}
	h := &Head{Signed: signed, Cosigned: map[string]time.Time{}, Unverified: len(n.UnverifiedSigs)}
	signedByLog := false
	for _, s := range n.Sigs {
		if s.Name == log.Name() && s.Hash == log.KeyHash() {
			signedByLog = true
			continue
		}
		ts, _ := c2sp.CosignatureTime(cosignatureBytes(s))
		h.Cosigned[s.Name] = ts
	}
	if !signedByLog {
		return nil, mismatch(Unsigned, "The checkpoint carries no signature by the log key %s.", log.Name())
	}
	cp, err := c2sp.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return nil, mismatch(Malformed, "The checkpoint is malformed (%v).", err)
	}
	if cp.Origin != log.Name() {
		return nil, mismatch(Unsigned, "The checkpoint is for log %q, not the log %q you follow.", cp.Origin, log.Name())
	}
	h.Checkpoint = cp
	if len(h.Cosigned) < quorum {
		return nil, mismatch(QuorumLost, "The checkpoint of %d entries is cosigned by %d of the witnesses you trust, fewer than the %d required.",
			cp.Size, len(h.Cosigned), quorum).
			advise("Without them nothing shows that everyone sees this same log; a witness may be down, or the log may be showing you a view it did not show them.")
	}
	return h, nil
}

// cosignatureBytes decodes a cosignature line's signature: base64 of the
// 4-byte key hash, then the timestamp and the Ed25519 signature.
func cosignatureBytes(s note.Signature) []byte {
	b, err := base64.StdEncoding.DecodeString(s.Base64)
	if err != nil || len(b) < 4 {
		return nil
	}
	return b[4:]
}

// State is what to remember of a verified head.
func (r *Remote) State(h *Head) State {
	return State{Origin: h.Checkpoint.Origin, LogKey: r.LogKey, Size: h.Checkpoint.Size,
		Root: base64.StdEncoding.EncodeToString(h.Checkpoint.Hash[:]), Checkpoint: string(h.Signed), Seen: time.Now().UTC()}
}

// Consistent proves that h extends the checkpoint remembered in st: the log
// only grew. keep names the file that holds st, for the message.
func (r *Remote) Consistent(st State, h *Head, keep string) error {
	if st.Checkpoint == "" {
		return nil
	}
	cp := h.Checkpoint
	if st.Origin != "" && cp.Origin != st.Origin {
		return mismatch(Unsigned, "The checkpoint is for log %q, not the log %q you follow.", cp.Origin, st.Origin)
	}
	oldRoot, err := c2sp.ParseHash(st.Root)
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	evidence := ""
	if keep != "" {
		evidence = fmt.Sprintf("Keep %s: it holds the earlier signed checkpoint as evidence.", keep)
	}
	seen := st.Seen.Format(time.RFC3339)
	if cp.Size < st.Size {
		return mismatch(Shrunk, "The log shrank from %d entries (seen on %s) to %d, so published entries were removed.", st.Size, seen, cp.Size).
			advise("An append-only log never does that. %s", evidence)
	}
	switch {
	case st.Size == 0:
		// Every log extends the empty one.
	case cp.Size > st.Size:
		p, perr := tlog.ProveTree(cp.Size, st.Size, h.thr)
		err = perr
		if err == nil {
			err = tlog.CheckTree(p, cp.Size, tlog.Hash(cp.Hash), st.Size, tlog.Hash(oldRoot))
		}
	default:
		err = tlog.CheckTree(nil, cp.Size, tlog.Hash(cp.Hash), st.Size, tlog.Hash(oldRoot))
	}
	if err != nil {
		return mismatch(Forked, "The log forked: its history was rewritten since the checkpoint of %d entries seen on %s.", st.Size, seen).
			advise("An append-only log can only add entries; here entries published earlier were changed, removed or reordered, "+
				"so records you relied on may have been altered. %s (%v)", evidence, err)
	}
	return nil
}

// Server verifies the log served at o.Server. It returns a *Mismatch when
// the log or a record is not what was published.
func Server(ctx context.Context, o Options) error {
	st, err := LoadState(o.StateFile)
	if err != nil {
		return err
	}
	r, err := Connect(ctx, o, st)
	if err != nil {
		return err
	}
	out := r.out

	// 1. The checkpoint: signed by the log, cosigned by enough witnesses.
	h, err := r.Head(ctx)
	if err != nil {
		return err
	}
	cp := h.Checkpoint
	fmt.Fprintf(out, "checkpoint: %s, %d entries, root %s; signed by the log; cosigned by %d of %d trusted witnesses\n",
		cp.Origin, cp.Size, base64.StdEncoding.EncodeToString(cp.Hash[:]), len(h.Cosigned), len(r.witnesses))

	// 2. The log only grew since the checkpoint seen last time.
	if err := r.Consistent(st, h, o.StateFile); err != nil {
		return err
	}
	if st.Checkpoint != "" {
		fmt.Fprintf(out, "consistent with the checkpoint of %d entries seen on %s: the log only grew\n", st.Size, st.Seen.Format(time.RFC3339))
	}

	// 3. Records: included in the log, and their content is what was logged.
	switch {
	case o.Full:
		n, err := r.CheckRange(ctx, h, 0, cp.Size, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "all %d log entries: in the signed tree, and every record served matches its entry\n", n)
	case len(o.Records) > 0:
		for _, ref := range o.Records {
			if err := r.CheckRecord(ctx, h, ref); err != nil {
				return err
			}
		}
	case cp.Size > 0:
		sample := o.Sample // negative: none
		if sample == 0 {
			sample = 10
		}
		for i := 0; i < sample && int64(i) < cp.Size; i++ {
			if err := r.CheckEntry(ctx, h, rand.Int64N(cp.Size)); err != nil {
				return err
			}
		}
	}

	if o.StateFile != "" {
		if err := SaveState(o.StateFile, r.State(h)); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "OK: everything checked matches the log")
	return nil
}

// CheckRecord fetches a record and its proof, rebuilds its leaf from the
// content served and proves that leaf in the verified tree.
func (r *Remote) CheckRecord(ctx context.Context, h *Head, ref string) error {
	c, cp := r.c, h.Checkpoint
	collection, id, ok := strings.Cut(ref, "/")
	if !ok {
		// A bare id: ids are unique across collections, so ask each.
		c, err := findCollection(ctx, c, strings.SplitN(ref, "@", 2)[0])
		if err != nil {
			return err
		}
		collection, id = c, ref
	}
	if collection == "" || id == "" {
		return fmt.Errorf("record %q: write it as collection/id, collection/id@version or id", ref)
	}
	version := 0
	if i := strings.IndexByte(id, '@'); i >= 0 {
		v, err := strconv.Atoi(id[i+1:])
		if err != nil || v < 1 {
			return fmt.Errorf("record %q: the version after @ must be a whole number from 1", ref)
		}
		id, version = id[:i], v
	}
	p, err := c.Proof(ctx, collection, id, version)
	if client.IsStatus(err, http.StatusNotFound) {
		return mismatch(Deleted, "Record %s: the server does not serve it or says it is not in the log (%v).", ref, err)
	}
	if err != nil {
		return fmt.Errorf("record %s: proof: %w", ref, err)
	}
	body, err := c.Record(ctx, collection, id, p.Version)
	if err != nil {
		return fmt.Errorf("record %s: %w", ref, err)
	}
	leaf, err := ledger.RebuildLeaf(collection, body, p.FieldSecrets)
	if err != nil {
		return mismatch(Changed, "Record %s version %d cannot be matched to the log (%v).", ref, p.Version, err)
	}
	if p.LeafIndex >= cp.Size {
		return fmt.Errorf("record %s version %d is at log index %d, beyond the verified checkpoint of %d entries: it is not yet in a signed checkpoint; run again shortly", ref, p.Version, p.LeafIndex, cp.Size)
	}
	if err := proveLeaf(h.thr, cp, p.LeafIndex, leaf); err != nil {
		return mismatch(Changed, "Record %s version %d differs from log entry %d: it was edited after publication.", ref, p.Version, p.LeafIndex).
			advise("The content served now is not what was published, or the server points at the wrong entry.")
	}
	if err := checkReceipt(*p, leaf); err != nil {
		return mismatch(Malformed, "Record %s: the server's tlog-proof receipt is invalid (%v).", ref, err)
	}
	fmt.Fprintf(r.out, "record %s/%s version %d: included at log index %d, content matches\n", collection, p.ID, p.Version, p.LeafIndex)
	return nil
}

// CheckEntry reads one log entry from the entry bundles, checks it against
// the verified tile hashes, and checks that the server still serves the
// record version it holds, unchanged.
func (r *Remote) CheckEntry(ctx context.Context, h *Head, idx int64) error {
	n := idx / ledger.TileWidth
	entries, err := r.bundle(ctx, h, n)
	if err != nil {
		return err
	}
	entry := entries[idx-n*ledger.TileWidth]
	if err := proveLeaf(h.thr, h.Checkpoint, idx, entry); err != nil {
		return mismatch(Forked, "Log entry %d served by the server is not the one in the signed tree.", idx)
	}
	return r.checkServed(ctx, idx, entry)
}

// CheckRange checks entries [from, to) of the verified tree, a whole entry
// bundle at a time, and returns how many it checked. progress, when set, is
// told after each bundle.
func (r *Remote) CheckRange(ctx context.Context, h *Head, from, to int64, progress func(done int64)) (int64, error) {
	var done int64
	for n := from / ledger.TileWidth; n*ledger.TileWidth < to; n++ {
		entries, err := r.bundle(ctx, h, n)
		if err != nil {
			return done, err
		}
		start := n * ledger.TileWidth
		var idx []int64
		for i := range entries {
			idx = append(idx, tlog.StoredHashIndex(0, start+int64(i)))
		}
		// One authenticated read of the level-0 tile covers the whole bundle.
		hashes, err := h.thr.ReadHashes(idx)
		if err != nil {
			return done, mismatch(Forked, "The hash tiles around entries %d to %d do not match the signed checkpoint.", start, start+int64(len(entries))-1).
				advise("(%v)", err)
		}
		for i, e := range entries {
			at := start + int64(i)
			if at < from || at >= to {
				continue
			}
			if tlog.RecordHash(e) != hashes[i] {
				return done, mismatch(Forked, "Log entry %d served by the server is not the one in the signed tree.", at)
			}
			if err := r.checkServed(ctx, at, e); err != nil {
				return done, err
			}
			done++
		}
		if progress != nil {
			progress(done)
		}
	}
	return done, nil
}

// bundle fetches entry bundle n, as wide as the verified tree allows.
func (r *Remote) bundle(ctx context.Context, h *Head, n int64) ([][]byte, error) {
	width := int(min(ledger.TileWidth, h.Checkpoint.Size-n*ledger.TileWidth))
	b, err := r.c.Tile(ctx, ledger.TileRef{Level: ledger.EntriesLevel, Index: n, Width: width})
	if err != nil {
		return nil, err
	}
	entries, err := ledger.DecodeBundle(b)
	if err != nil || len(entries) != width {
		return nil, mismatch(Malformed, "The entry bundle %d served by the server is malformed.", n)
	}
	return entries, nil
}

// checkServed checks that the server still serves the record version a
// verified log entry holds, unchanged, at that index.
func (r *Remote) checkServed(ctx context.Context, idx int64, entry []byte) error {
	c := r.c
	collection, rec, err := ledger.LeafRecord(entry)
	if err != nil {
		return mismatch(Malformed, "Log entry %d is not a Candor record (%v).", idx, err)
	}
	var meta struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(rec, &meta); err != nil || meta.ID == "" {
		return mismatch(Malformed, "Log entry %d holds no record id.", idx)
	}
	ref := fmt.Sprintf("%s/%s@%d", collection, meta.ID, meta.Version)
	p, err := c.Proof(ctx, collection, meta.ID, meta.Version)
	if client.IsStatus(err, http.StatusNotFound) {
		return mismatch(Deleted, "Log entry %d records %s, but the server no longer serves that record version: it was deleted or hidden after publication.", idx, ref)
	}
	if err != nil {
		return fmt.Errorf("record %s: proof: %w", ref, err)
	}
	if p.LeafIndex != idx {
		return mismatch(Changed, "Log entry %d records %s, but the server places that version at index %d.", idx, ref, p.LeafIndex)
	}
	body, err := c.Record(ctx, collection, meta.ID, meta.Version)
	if err != nil {
		return mismatch(Deleted, "Log entry %d records %s, but the server no longer serves it (%v).", idx, ref, err)
	}
	leaf, err := ledger.RebuildLeaf(collection, body, p.FieldSecrets)
	if err != nil || string(leaf) != string(entry) {
		return mismatch(Changed, "Record %s served now differs from log entry %d: it was edited after publication.", ref, idx)
	}
	fmt.Fprintf(r.out, "log entry %d: %s, content matches\n", idx, ref)
	return nil
}

func findCollection(ctx context.Context, c *client.Client, id string) (string, error) {
	for _, name := range model.Collections() {
		_, err := c.Versions(ctx, name, id)
		if err == nil {
			return name, nil
		}
		// Any answer but success means "not in this collection".
		var answer *client.Error
		if !errors.As(err, &answer) {
			return "", err
		}
	}
	return "", mismatch(Deleted, "Record %s: the server serves no record with that id in any collection.", id)
}

func proveLeaf(thr tlog.HashReader, cp c2sp.Checkpoint, idx int64, leaf []byte) error {
	p, err := tlog.ProveRecord(cp.Size, idx, thr)
	if err != nil {
		return err
	}
	return tlog.CheckRecord(p, cp.Size, tlog.Hash(cp.Hash), idx, tlog.RecordHash(leaf))
}

// checkReceipt verifies the tlog-proof the server hands out, on its own terms.
func checkReceipt(p ledger.RecordProof, leaf []byte) error {
	r, err := c2sp.ParseProof([]byte(p.Receipt))
	if err != nil {
		return err
	}
	text, _, ok := strings.Cut(string(r.Checkpoint), "\n\n")
	if !ok {
		return errors.New("receipt checkpoint has no signature")
	}
	cp, err := c2sp.ParseCheckpoint([]byte(text + "\n"))
	if err != nil {
		return err
	}
	hs := make([]ledger.Hash, len(r.Hashes))
	for i := range r.Hashes {
		hs[i] = r.Hashes[i]
	}
	return ledger.VerifyInclusion(ledger.LeafHash(leaf), r.Index, cp.Size, hs, cp.Hash)
}

// SaveState replaces the state file atomically.
func SaveState(path string, st State) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
