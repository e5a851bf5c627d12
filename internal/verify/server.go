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

// Mismatch is a verification failure: the log or a record is not what was
// published. Its message is meant for people, not programs.
type Mismatch struct{ Msg string }

func (m *Mismatch) Error() string { return m.Msg }

func mismatch(format string, args ...any) error { return &Mismatch{fmt.Sprintf(format, args...)} }

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
	HTTP    *http.Client
	Out     io.Writer
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

// Server verifies the log served at o.Server. It returns a *Mismatch when
// the log or a record is not what was published.
func Server(ctx context.Context, o Options) error {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	var copts []client.Option
	if o.HTTP != nil {
		copts = append(copts, client.WithHTTPClient(o.HTTP))
	}
	c, err := client.New(o.Server, copts...)
	if err != nil {
		return fmt.Errorf("--server: %w", err)
	}
	var st State
	if o.StateFile != "" {
		b, err := os.ReadFile(o.StateFile)
		switch {
		case err == nil:
			if err := json.Unmarshal(b, &st); err != nil {
				return fmt.Errorf("state file %s: %w", o.StateFile, err)
			}
		case !errors.Is(err, os.ErrNotExist):
			return err
		}
	}

	logKey := o.LogKey
	if logKey == "" {
		logKey = st.LogKey
	}
	if logKey == "" {
		if logKey, err = c.LogKey(ctx); err != nil {
			return err
		}
		fmt.Fprintf(out, "trusting the log key the server gave on first use: %s\n", logKey)
	}
	if st.LogKey != "" && o.LogKey != "" && st.LogKey != o.LogKey {
		return mismatch("the log key given (%s) is not the one recorded in %s (%s)", o.LogKey, o.StateFile, st.LogKey)
	}
	logVerifier, err := note.NewVerifier(logKey)
	if err != nil {
		return fmt.Errorf("log key: %w", err)
	}
	var witnesses []note.Verifier
	for _, k := range o.WitnessKeys {
		v, err := c2sp.NewCosignatureVerifier(k)
		if err != nil {
			return fmt.Errorf("witness key: %w", err)
		}
		witnesses = append(witnesses, v)
	}

	// 1. The checkpoint: signed by the log, cosigned by enough witnesses.
	signed, err := c.Checkpoint(ctx)
	if err != nil {
		return err
	}
	n, err := note.Open(signed, note.VerifierList(append([]note.Verifier{logVerifier}, witnesses...)...))
	if err != nil {
		return mismatch("the log's checkpoint is not validly signed by the log key %s (%v): the server is not the log you trust, or its key changed", logVerifier.Name(), err)
	}
	signedByLog, cosigners := false, map[string]bool{}
	for _, s := range n.Sigs {
		if s.Name == logVerifier.Name() && s.Hash == logVerifier.KeyHash() {
			signedByLog = true
			continue
		}
		cosigners[s.Name] = true
	}
	if !signedByLog {
		return mismatch("the checkpoint carries no signature by the log key %s", logVerifier.Name())
	}
	cp, err := c2sp.ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return mismatch("the checkpoint is malformed: %v", err)
	}
	if cp.Origin != logVerifier.Name() || (st.Origin != "" && cp.Origin != st.Origin) {
		return mismatch("the checkpoint is for log %q, not the log %q you follow", cp.Origin, logVerifier.Name())
	}
	quorum := o.Quorum
	if quorum == 0 && len(witnesses) > 0 {
		quorum = len(witnesses)
	}
	if len(cosigners) < quorum {
		return mismatch("the checkpoint is cosigned by %d of the witnesses you trust, fewer than the %d required: without them nothing shows that everyone sees this same log", len(cosigners), quorum)
	}
	fmt.Fprintf(out, "checkpoint: %s, %d entries, root %s; signed by the log; cosigned by %d of %d trusted witnesses\n",
		cp.Origin, cp.Size, base64.StdEncoding.EncodeToString(cp.Hash[:]), len(cosigners), len(witnesses))
	tree := tlog.Tree{N: cp.Size, Hash: tlog.Hash(cp.Hash)}
	thr := tlog.TileHashReader(tree, tiles{ctx, c})

	// 2. The log only grew since the checkpoint seen last time.
	if st.Checkpoint != "" {
		oldRoot, err := c2sp.ParseHash(st.Root)
		if err != nil {
			return fmt.Errorf("state file: %w", err)
		}
		if cp.Size < st.Size {
			return mismatch("the log shrank: on %s it had %d entries, now it claims %d. Published entries were removed, "+
				"which an append-only log never does. Keep %s: it holds the earlier signed checkpoint as evidence.",
				st.Seen.Format(time.RFC3339), st.Size, cp.Size, o.StateFile)
		}
		var p tlog.TreeProof
		switch {
		case st.Size == 0:
			// Every log extends the empty one.
		case cp.Size > st.Size:
			p, err = tlog.ProveTree(cp.Size, st.Size, thr)
			if err == nil {
				err = tlog.CheckTree(p, cp.Size, tree.Hash, st.Size, tlog.Hash(oldRoot))
			}
		default:
			err = tlog.CheckTree(nil, cp.Size, tree.Hash, st.Size, tlog.Hash(oldRoot))
		}
		if err != nil {
			return mismatch("the log is not consistent with the checkpoint seen on %s (%d entries): its history was rewritten. "+
				"An append-only log can only add entries; here entries published earlier were changed, removed or reordered, "+
				"so records you relied on may have been altered. Keep %s: it holds the earlier signed checkpoint as evidence. (%v)",
				st.Seen.Format(time.RFC3339), st.Size, o.StateFile, err)
		}
		fmt.Fprintf(out, "consistent with the checkpoint of %d entries seen on %s: the log only grew\n", st.Size, st.Seen.Format(time.RFC3339))
	}

	// 3. Records: included in the log, and their content is what was logged.
	if len(o.Records) > 0 {
		for _, r := range o.Records {
			if err := checkRecord(ctx, c, out, thr, cp, r); err != nil {
				return err
			}
		}
	} else if cp.Size > 0 {
		sample := o.Sample // negative: none
		if sample == 0 {
			sample = 10
		}
		for i := 0; i < sample && int64(i) < cp.Size; i++ {
			if err := checkEntry(ctx, c, out, thr, cp, rand.Int64N(cp.Size)); err != nil {
				return err
			}
		}
	}

	if o.StateFile != "" {
		next := State{Origin: cp.Origin, LogKey: logKey, Size: cp.Size, Root: base64.StdEncoding.EncodeToString(cp.Hash[:]),
			Checkpoint: string(signed), Seen: time.Now().UTC()}
		if err := saveState(o.StateFile, next); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "OK: everything checked matches the log")
	return nil
}

// checkRecord fetches a record and its proof, rebuilds its leaf from the
// content served and proves that leaf in the verified tree.
func checkRecord(ctx context.Context, c *client.Client, out io.Writer, thr tlog.HashReader, cp c2sp.Checkpoint, ref string) error {
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
		return mismatch("record %s: the server does not serve it or says it is not in the log (%v)", ref, err)
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
		return mismatch("record %s version %d: its content cannot be matched to the log: %v", ref, p.Version, err)
	}
	if p.LeafIndex >= cp.Size {
		return fmt.Errorf("record %s version %d is at log index %d, beyond the verified checkpoint of %d entries: it is not yet in a signed checkpoint; run again shortly", ref, p.Version, p.LeafIndex, cp.Size)
	}
	if err := proveLeaf(thr, cp, p.LeafIndex, leaf); err != nil {
		return mismatch("record %s version %d does not match the log entry %d: the content served now differs from what was published "+
			"(it was edited after publication), or the server points at the wrong entry", ref, p.Version, p.LeafIndex)
	}
	if err := checkReceipt(*p, leaf); err != nil {
		return mismatch("record %s: the server's tlog-proof receipt is invalid: %v", ref, err)
	}
	fmt.Fprintf(out, "record %s/%s version %d: included at log index %d, content matches\n", collection, p.ID, p.Version, p.LeafIndex)
	return nil
}

// checkEntry reads one log entry from the entry bundles, checks it against
// the verified tile hashes, and checks that the server still serves the
// record version it holds, unchanged.
func checkEntry(ctx context.Context, c *client.Client, out io.Writer, thr tlog.HashReader, cp c2sp.Checkpoint, idx int64) error {
	// The bundle holding idx, as wide as the verified tree allows.
	n := idx / ledger.TileWidth
	width := int(min(ledger.TileWidth, cp.Size-n*ledger.TileWidth))
	b, err := c.Tile(ctx, ledger.TileRef{Level: ledger.EntriesLevel, Index: n, Width: width})
	if err != nil {
		return err
	}
	entries, err := ledger.DecodeBundle(b)
	if err != nil || len(entries) != width {
		return mismatch("entry bundle for index %d is malformed", idx)
	}
	entry := entries[idx-n*ledger.TileWidth]
	if err := proveLeaf(thr, cp, idx, entry); err != nil {
		return mismatch("log entry %d served by the server is not the one in the signed tree", idx)
	}
	collection, rec, err := ledger.LeafRecord(entry)
	if err != nil {
		return mismatch("log entry %d: %v", idx, err)
	}
	var meta struct {
		ID      string `json:"id"`
		Version int    `json:"version"`
	}
	if err := json.Unmarshal(rec, &meta); err != nil || meta.ID == "" {
		return mismatch("log entry %d holds no record id", idx)
	}
	ref := fmt.Sprintf("%s/%s@%d", collection, meta.ID, meta.Version)
	p, err := c.Proof(ctx, collection, meta.ID, meta.Version)
	if client.IsStatus(err, http.StatusNotFound) {
		return mismatch("log entry %d records %s, but the server no longer serves that record version: it was deleted or hidden after publication", idx, ref)
	}
	if err != nil {
		return fmt.Errorf("record %s: proof: %w", ref, err)
	}
	if p.LeafIndex != idx {
		return mismatch("log entry %d records %s, but the server places that version at index %d", idx, ref, p.LeafIndex)
	}
	body, err := c.Record(ctx, collection, meta.ID, meta.Version)
	if err != nil {
		return mismatch("log entry %d records %s, but the server no longer serves it: %v", idx, ref, err)
	}
	leaf, err := ledger.RebuildLeaf(collection, body, p.FieldSecrets)
	if err != nil || string(leaf) != string(entry) {
		return mismatch("record %s served now differs from log entry %d published earlier: it was edited after publication", ref, idx)
	}
	fmt.Fprintf(out, "log entry %d: %s, content matches\n", idx, ref)
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
	return "", mismatch("record %s: the server serves no record with that id in any collection", id)
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

func saveState(path string, st State) error {
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
