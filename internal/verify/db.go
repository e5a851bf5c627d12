package verify

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/store"
)

// DB checks a whole local database against its log: the log entries hash to
// the signed checkpoint (so no entry was altered or removed), every public
// record version rebuilds exactly its leaf (so no record was edited), and
// every log entry still has its record (so none was deleted). logKey, when
// given, also checks the checkpoint's signature.
func DB(ctx context.Context, st store.Store, logKey string, out io.Writer) error {
	if out == nil {
		out = io.Discard
	}
	signed, err := st.ReadCheckpoint(ctx)
	if err != nil {
		return err
	}
	var cp c2sp.Checkpoint
	if signed != nil {
		text, _, _ := bytes.Cut(signed, []byte("\n\n"))
		if logKey != "" {
			v, err := note.NewVerifier(logKey)
			if err != nil {
				return fmt.Errorf("log key: %w", err)
			}
			n, err := note.Open(signed, note.VerifierList(v))
			if err != nil {
				return mismatch(Unsigned, "The stored checkpoint is not signed by the log key (%v).", err)
			}
			text = []byte(n.Text)
		} else {
			text = append(text, '\n')
		}
		if cp, err = c2sp.ParseCheckpoint(text); err != nil {
			return mismatch(Malformed, "The stored checkpoint is malformed (%v).", err)
		}
	}

	// Walk the records in log order beside the log entries.
	leafOf := map[int64]string{}
	var tree compact
	var next int64 // next log index to read
	const batch = 4096
	var buf [][]byte
	var bufStart int64
	entry := func(i int64) ([]byte, error) {
		if i < bufStart || i >= bufStart+int64(len(buf)) {
			count, err := st.EntryCount(ctx)
			if err != nil {
				return nil, err
			}
			if i >= count {
				return nil, nil
			}
			if buf, err = st.ReadEntries(ctx, i, min(count, i+batch)); err != nil {
				return nil, mismatch(Shrunk, "The log is missing entries (%v): log entries were deleted from the database.", err)
			}
			bufStart = i
		}
		return buf[i-bufStart], nil
	}
	// advance hashes entries up to (not including) end into the tree.
	advance := func(end int64) error {
		for ; next < end; next++ {
			e, err := entry(next)
			if err != nil {
				return err
			}
			if e == nil {
				return mismatch(Shrunk, "The log ends at entry %d but records point further.", next)
			}
			if _, ok := leafOf[next]; !ok {
				col, rec, _ := ledger.LeafRecord(e)
				return mismatch(Deleted, "Log entry %d (%s %s) has no record in the database: a published record version was deleted.", next, col, idOf(rec))
			}
			delete(leafOf, next)
			tree.add(ledger.LeafHash(e))
			if next+1 == cp.Size && signed != nil {
				if tree.root() != ledger.Hash(cp.Hash) {
					return mismatch(Forked, "The log entries no longer hash to the signed checkpoint of %d entries: entries were altered or removed in the database after they were signed.", cp.Size)
				}
			}
		}
		return nil
	}
	records := 0
	err = st.EachLoggedVersion(ctx, func(row *store.Row, salts []store.FieldSalt) error {
		collection, id, version, body, idx := row.Collection, row.ID, row.Version, row.Body, *row.LeafIndex
		if _, dup := leafOf[idx]; dup || idx < next {
			return mismatch(Malformed, "Two record versions claim log entry %d.", idx)
		}
		leafOf[idx] = collection + "/" + id
		if err := advance(idx); err != nil {
			return err
		}
		e, err := entry(idx)
		if err != nil {
			return err
		}
		if e == nil {
			return mismatch(Shrunk, "Record %s/%s version %d points at log entry %d, which does not exist.", collection, id, version, idx)
		}
		want, err := ledger.RebuildLeaf(collection, body, ledger.SecretsOf(salts))
		if err != nil || !bytes.Equal(want, e) {
			return mismatch(Changed, "Record %s/%s version %d differs from log entry %d: it was edited in the database after it was published.", collection, id, version, idx)
		}
		if err := advance(idx + 1); err != nil {
			return err
		}
		records++
		return nil
	})
	if err != nil {
		return err
	}
	count, err := st.EntryCount(ctx)
	if err != nil {
		return err
	}
	if err := advance(count); err != nil {
		return err
	}
	if signed != nil && count < cp.Size {
		return mismatch(Shrunk, "The log has %d entries but a checkpoint of %d was signed: entries were removed from the database.", count, cp.Size)
	}
	public, err := st.UnloggedPublic(ctx)
	if err != nil {
		return err
	}
	if public > 0 {
		return mismatch(Deleted, "%d public record versions have no log entry: they were published without being logged, or their entry was unlinked.", public)
	}
	fmt.Fprintf(out, "database: %d log entries, %d record versions, all match; signed checkpoint covers %d entries\n", count, records, cp.Size)
	return nil
}

func idOf(rec []byte) string {
	i := bytes.Index(rec, []byte(`"id":"`))
	if i < 0 {
		return ""
	}
	rest := rec[i+6:]
	j := bytes.IndexByte(rest, '"')
	if j < 0 {
		return ""
	}
	return string(rest[:j])
}

// compact is the right edge of a Merkle tree being built leaf by leaf.
type compact struct {
	size  int64
	nodes []ledger.Hash // roots of perfect subtrees, largest first
}

func (c *compact) add(h ledger.Hash) {
	c.nodes = append(c.nodes, h)
	for s := c.size; s&1 == 1; s >>= 1 {
		n := len(c.nodes)
		c.nodes = append(c.nodes[:n-2], ledger.NodeHash(c.nodes[n-2], c.nodes[n-1]))
	}
	c.size++
}

func (c *compact) root() ledger.Hash {
	if len(c.nodes) == 0 {
		return ledger.LeafHash(nil) // unused: the empty tree is never compared
	}
	r := c.nodes[len(c.nodes)-1]
	for i := len(c.nodes) - 2; i >= 0; i-- {
		r = ledger.NodeHash(c.nodes[i], r)
	}
	return r
}
