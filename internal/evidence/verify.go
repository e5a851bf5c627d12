package evidence

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/candor-observatory/candor/internal/ledger"
	"github.com/candor-observatory/candor/internal/ledger/c2sp"
	"github.com/candor-observatory/candor/internal/verify"
)

// Options say what a verifier trusts. Without keys of its own it checks
// the bundle against the keys the bundle names, and says so.
type Options struct {
	// LogKey is the log's verifier key as the verifier knows it.
	LogKey string
	// WitnessKeys are the witnesses the verifier trusts; Quorum of them
	// (all, when 0) must have cosigned.
	WitnessKeys []string
	Quorum      int
	// Known is a checkpoint the verifier saw before (candor verify's state
	// file): a bundle at the same size with another root comes from a fork.
	Known *verify.State
}

// Result describes a bundle that verified.
type Result struct {
	Origin   string
	Size     int64
	Root     ledger.Hash
	Records  []string // collection/id@version, with their entry index
	Indexes  []int64
	Sources  int
	Cosigned map[string]time.Time
	// Warnings say what the check could not establish.
	Warnings []string
}

// Verify checks a bundle offline. It returns a *verify.Mismatch when the
// bundle is not exactly what the log signed.
func Verify(file []byte, o Options) (*Result, error) {
	var b Bundle
	dec := json.NewDecoder(bytes.NewReader(file))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return nil, altered("the bundle is not valid JSON of the %s format (%v)", Format, err)
	}
	if dec.More() {
		return nil, altered("the bundle has data after its end")
	}
	if b.Format != Format {
		return nil, altered("the bundle's format is %q, not %q", b.Format, Format)
	}
	canon, err := encode(b)
	if err != nil {
		return nil, altered("the bundle cannot be re-encoded (%v)", err)
	}
	if !bytes.Equal(canon, file) {
		at := firstDifference(canon, file)
		return nil, altered("the bundle is not in its canonical form: byte %d differs from what its content encodes to", at)
	}

	// Keys and the signed note carry encodings (hex, base64) that decode
	// the same from more than one text: only the canonical text is valid.
	if !canonicalKey(b.Log.Key) {
		return nil, altered("the bundle's log key is not written in its canonical form")
	}
	if err := canonicalNote(b.Checkpoint); err != nil {
		return nil, altered("the bundle's checkpoint %v", err)
	}

	// The checkpoint: signed by the log key, cosigned by the witnesses named.
	res := &Result{}
	logVerifier, err := note.NewVerifier(b.Log.Key)
	if err != nil {
		return nil, altered("the bundle's log key is malformed (%v)", err)
	}
	if o.LogKey != "" && o.LogKey != b.Log.Key {
		return nil, verify.Fail(verify.Unsigned, "The bundle is signed by the log key %s, not by the key you trust (%s).", b.Log.Key, o.LogKey)
	}
	if o.LogKey == "" {
		res.Warnings = append(res.Warnings, "checked against the log key the bundle names ("+b.Log.Key+"); give --log-key to check it against the key you hold")
	}
	var named []note.Verifier
	for _, k := range b.Log.Witnesses {
		v, err := c2sp.NewCosignatureVerifier(k)
		if err != nil {
			return nil, altered("the bundle names a malformed witness key (%v)", err)
		}
		if v.Key() != k {
			return nil, altered("the bundle names a witness key that is not written in its canonical form")
		}
		named = append(named, v)
	}
	if len(named) > 0 && b.Log.Quorum < 1 || b.Log.Quorum < 0 {
		return nil, altered("the bundle's quorum %d is not a number of witnesses", b.Log.Quorum)
	}
	signed := []byte(b.Checkpoint)
	head, err := verify.CheckCheckpoint(signed, logVerifier, named, 0)
	if err != nil {
		return nil, err
	}
	if head.Unverified > 0 {
		return nil, altered("the bundle's checkpoint carries a signature that no key in the bundle checks")
	}
	if len(head.Cosigned) != len(named) {
		return nil, altered("the bundle names %d witness keys but its checkpoint carries %d of their cosignatures", len(named), len(head.Cosigned))
	}
	if len(named) < b.Log.Quorum {
		return nil, verify.Fail(verify.QuorumLost, "The bundle's checkpoint is cosigned by %d witnesses, fewer than the %d the log requires.", len(named), b.Log.Quorum)
	}
	if len(o.WitnessKeys) > 0 {
		var trusted []note.Verifier
		for _, k := range o.WitnessKeys {
			v, err := c2sp.NewCosignatureVerifier(k)
			if err != nil {
				return nil, fmt.Errorf("witness key: %w", err)
			}
			trusted = append(trusted, v)
		}
		q := o.Quorum
		if q == 0 {
			q = len(trusted)
		}
		if _, err := verify.CheckCheckpoint(signed, logVerifier, trusted, q); err != nil {
			return nil, err
		}
	} else if len(named) == 0 {
		res.Warnings = append(res.Warnings, "the checkpoint carries no witness cosignature: nothing shows that others saw the same log")
	} else {
		res.Warnings = append(res.Warnings, fmt.Sprintf("checked against the %d witness keys the bundle names; give --witness-key to check them against the witnesses you trust", len(named)))
	}
	cp := head.Checkpoint
	res.Origin, res.Size, res.Root, res.Cosigned = cp.Origin, cp.Size, cp.Hash, head.Cosigned
	if k := o.Known; k != nil && k.Checkpoint != "" && k.Origin == cp.Origin {
		root := base64.StdEncoding.EncodeToString(cp.Hash[:])
		switch {
		case k.Size == cp.Size && k.Root != root:
			return nil, verify.Fail(verify.Forked, "The bundle comes from a fork of the log: at %d entries its root is %s, but the log you checked on %s had root %s at that size.",
				cp.Size, root, k.Seen.Format(time.RFC3339), k.Root)
		case k.Size != cp.Size:
			res.Warnings = append(res.Warnings, fmt.Sprintf("the checkpoint you hold has %d entries, the bundle's %d: compare them with candor verify --server to prove one extends the other", k.Size, cp.Size))
		}
	}

	// Each record: its leaf rebuilt from its content, proved in the tree.
	if len(b.Records) == 0 {
		return nil, altered("the bundle holds no record")
	}
	var prev string
	for i, r := range b.Records {
		_, ref, err := r.meta()
		if err != nil {
			return nil, altered("record %d of the bundle is malformed (%v)", i+1, err)
		}
		if ref <= prev {
			return nil, altered("the bundle's records are not in order, or one is repeated (%s)", ref)
		}
		prev = ref
		if err := checkSecrets(r); err != nil {
			return nil, verify.Fail(verify.Changed, "Record %s in the bundle does not match what the log committed to: %v.", ref, err)
		}
		leaf, err := ledger.RebuildLeaf(r.Collection, r.Record, r.FieldSecrets)
		if err != nil {
			return nil, verify.Fail(verify.Changed, "Record %s in the bundle cannot be matched to the log (%v).", ref, err)
		}
		p, err := c2sp.ParseProof([]byte(r.Proof))
		if err != nil {
			return nil, altered("the proof of record %s is not a tlog-proof (%v)", ref, err)
		}
		if string(p.Marshal()) != r.Proof {
			return nil, altered("the proof of record %s is not in its canonical form", ref)
		}
		if !bytes.Equal(p.Checkpoint, signed) {
			return nil, altered("the proof of record %s leads to another checkpoint than the bundle's", ref)
		}
		if p.Index >= cp.Size {
			return nil, altered("the proof of record %s names entry %d, beyond the checkpoint of %d entries", ref, p.Index, cp.Size)
		}
		hs := make([]ledger.Hash, len(p.Hashes))
		for j := range p.Hashes {
			hs[j] = p.Hashes[j]
		}
		if err := ledger.VerifyInclusion(ledger.LeafHash(leaf), p.Index, cp.Size, hs, cp.Hash); err != nil {
			return nil, verify.Fail(verify.Changed, "Record %s in the bundle is not the entry %d the signed log holds: its content or its proof was changed.", ref, p.Index)
		}
		res.Records = append(res.Records, ref)
		res.Indexes = append(res.Indexes, p.Index)
	}
	sources, err := deriveSources(b.Records)
	if err != nil {
		return nil, altered("the bundle's records are malformed (%v)", err)
	}
	if !reflect.DeepEqual(sources, b.Sources) && !(len(sources) == 0 && len(b.Sources) == 0) {
		return nil, altered("the bundle's list of source documents is not the one its records cite")
	}
	res.Sources = len(sources)
	return res, nil
}

// checkSecrets holds each field secret to the record: a field still present
// must have the salt whose commitment is given, an erased one only its
// commitment, and no secret may be left over.
func checkSecrets(r Record) error {
	fields := ledger.PersonalFields[r.Collection]
	var body map[string]json.RawMessage
	if err := json.Unmarshal(r.Record, &body); err != nil {
		return err
	}
	var redacted []string
	if raw, ok := body[ledger.RedactedKey]; ok {
		if err := json.Unmarshal(raw, &redacted); err != nil {
			return fmt.Errorf("%s: %v", ledger.RedactedKey, err)
		}
	}
	seen := map[string]bool{}
	for _, s := range r.FieldSecrets {
		if !slices.Contains(fields, s.Field) || seen[s.Field] {
			return fmt.Errorf("a secret for field %q, which is not a personal field of %s or is given twice", s.Field, r.Collection)
		}
		seen[s.Field] = true
		v, present := body[s.Field]
		switch {
		case present && string(v) != "null":
			if s.Redacted || s.Salt == nil {
				return fmt.Errorf("field %s is present but its salt is missing", s.Field)
			}
			if ledger.FieldCommitment(s.Salt, v) != s.Commitment {
				return fmt.Errorf("field %s does not match its commitment", s.Field)
			}
		case slices.Contains(redacted, s.Field):
			if !s.Redacted || s.Salt != nil {
				return fmt.Errorf("field %s was erased but its secret is not marked so", s.Field)
			}
		default:
			return fmt.Errorf("a secret for field %s, which the record neither holds nor lists as erased", s.Field)
		}
	}
	return nil
}

func altered(format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	return verify.Fail(verify.Altered, "%s", "The evidence bundle was altered: "+msg+".")
}

func firstDifference(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Summary writes what a verified bundle proves, for people.
func (r *Result) Summary() string {
	var s strings.Builder
	fmt.Fprintf(&s, "checkpoint: %s, %d entries, root %s; signed by the log; cosigned by %d witnesses\n",
		r.Origin, r.Size, r.Root, len(r.Cosigned))
	for i, ref := range r.Records {
		fmt.Fprintf(&s, "record %s: included at log index %d, content matches\n", ref, r.Indexes[i])
	}
	fmt.Fprintf(&s, "%d source documents cited by SHA-256\n", r.Sources)
	for _, w := range r.Warnings {
		fmt.Fprintf(&s, "note: %s\n", w)
	}
	return s.String()
}

// canonicalKey checks that a signed-note key name+hash+base64 has its hash
// in lower-case hex and its key in canonical base64.
func canonicalKey(k string) bool {
	parts := strings.SplitN(k, "+", 3)
	if len(parts) != 3 || len(parts[1]) != 8 || strings.Trim(parts[1], "0123456789abcdef") != "" {
		return false
	}
	return canonicalBase64(parts[2])
}

func canonicalBase64(s string) bool {
	b, err := base64.StdEncoding.DecodeString(s)
	return err == nil && base64.StdEncoding.EncodeToString(b) == s
}

// canonicalNote checks a signed checkpoint's text and signature lines.
func canonicalNote(signed string) error {
	text, sigs, ok := strings.Cut(signed, "\n\n")
	if !ok {
		return fmt.Errorf("has no signatures")
	}
	cp, err := c2sp.ParseCheckpoint([]byte(text + "\n"))
	if err != nil {
		return fmt.Errorf("is malformed (%v)", err)
	}
	if string(cp.Marshal()) != text+"\n" {
		return fmt.Errorf("is not written in its canonical form")
	}
	lines := strings.Split(strings.TrimSuffix(sigs, "\n"), "\n")
	for _, l := range lines {
		rest, ok := strings.CutPrefix(l, "\u2014 ")
		name, sig, ok2 := strings.Cut(rest, " ")
		if !ok || !ok2 || name == "" || !canonicalBase64(sig) {
			return fmt.Errorf("has a signature line not written in its canonical form")
		}
	}
	return nil
}
