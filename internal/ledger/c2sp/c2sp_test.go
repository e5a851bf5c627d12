package c2sp

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	tdlog "github.com/transparency-dev/formats/log"
	tdnote "github.com/transparency-dev/formats/note"
	tdproof "github.com/transparency-dev/formats/proof"
	"golang.org/x/mod/sumdb/note"
)

func TestCheckpointRoundTrip(t *testing.T) {
	c := Checkpoint{Origin: "candor.example/log", Size: 20852163, Extensions: []string{"ext one"}}
	c.Hash[0] = 7
	body := c.Marshal()
	var ref tdlog.Checkpoint
	if _, err := ref.Unmarshal(body); err != nil {
		t.Fatalf("transparency-dev/formats rejects the body: %v", err)
	}
	if ref.Origin != c.Origin || ref.Size != uint64(c.Size) || !bytes.Equal(ref.Hash, c.Hash[:]) {
		t.Fatalf("transparency-dev/formats reads %+v", ref)
	}
	got, err := ParseCheckpoint(body)
	if err != nil || got.Size != c.Size || got.Hash != c.Hash || len(got.Extensions) != 1 {
		t.Fatalf("ParseCheckpoint = %+v, %v", got, err)
	}
	for _, bad := range []string{
		"origin\n1\n",
		"origin\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"origin\n1\nAAAA\n",
		"\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
		"origin\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		"origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
	} {
		if _, err := ParseCheckpoint([]byte(bad)); err == nil {
			t.Errorf("ParseCheckpoint(%q) succeeded", bad)
		}
	}
}

// TestCosignatureInterop signs with Candor and verifies with
// transparency-dev/formats, and the other way round.
func TestCosignatureInterop(t *testing.T) {
	skey, vkey, err := GenerateCosignatureKey(rand.Reader, "witness.example/w1")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := NewCosignatureSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	signer.Now = func() time.Time { return time.Unix(1679315147, 0) }
	body := Checkpoint{Origin: "candor.example/log", Size: 5}.Marshal()
	signed, err := note.Sign(&note.Note{Text: string(body)}, signer)
	if err != nil {
		t.Fatal(err)
	}

	theirs, err := tdnote.NewVerifierForCosignatureV1(vkey)
	if err != nil {
		t.Fatalf("transparency-dev/formats rejects our vkey: %v", err)
	}
	n, err := note.Open(signed, note.VerifierList(theirs))
	if err != nil {
		t.Fatalf("transparency-dev/formats rejects our cosignature: %v", err)
	}
	ts, err := tdnote.CoSigV1Timestamp(n.Sigs[0])
	if err != nil || ts.Unix() != 1679315147 {
		t.Fatalf("timestamp %v, %v", ts, err)
	}

	theirSigner, err := tdnote.NewSignerForCosignatureV1(skey)
	if err != nil {
		t.Fatalf("transparency-dev/formats rejects our private key: %v", err)
	}
	signed2, err := note.Sign(&note.Note{Text: string(body)}, theirSigner)
	if err != nil {
		t.Fatal(err)
	}
	ours, err := NewCosignatureVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(signed2, note.VerifierList(ours)); err != nil {
		t.Fatalf("our verifier rejects their cosignature: %v", err)
	}

	// A cosignature does not verify over another checkpoint.
	other := Checkpoint{Origin: "candor.example/log", Size: 6}.Marshal()
	sig := []byte(strings.SplitN(string(signed), "\n\n", 2)[1])
	if _, err := note.Open(append(append(other, '\n'), sig...), note.VerifierList(ours)); err == nil {
		t.Fatal("cosignature verified over a different checkpoint")
	}
	if ours.Key() != vkey {
		t.Fatalf("Key() = %q, want %q", ours.Key(), vkey)
	}
}

func TestProofInterop(t *testing.T) {
	p := Proof{Extra: []byte("x"), Index: 73894, Hashes: [][HashSize]byte{{1}, {2}}, Checkpoint: []byte("o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— o abc=\n")}
	var ref tdproof.TLogProof
	if err := ref.Unmarshal(p.Marshal()); err != nil {
		t.Fatalf("transparency-dev/formats rejects our tlog-proof: %v", err)
	}
	if ref.Index != 73894 || len(ref.Hashes) != 2 || !bytes.Equal(ref.Checkpoint, p.Checkpoint) || string(ref.ExtraData) != "x" {
		t.Fatalf("transparency-dev/formats reads %+v", ref)
	}
	got, err := ParseProof(ref.Marshal())
	if err != nil || got.Index != p.Index || len(got.Hashes) != 2 || got.Hashes[1] != p.Hashes[1] || !bytes.Equal(got.Checkpoint, p.Checkpoint) {
		t.Fatalf("ParseProof = %+v, %v", got, err)
	}
	if _, err := ParseProof([]byte("c2sp.org/tlog-proof@v1\nindex 01\n\nx")); err == nil {
		t.Fatal("leading zero index accepted")
	}
}

func TestAddCheckpointRequest(t *testing.T) {
	r := AddCheckpoint{OldSize: 20852014, Proof: [][HashSize]byte{{1}, {2}}, Checkpoint: []byte("o\n1\nh\n\n— o sig\n")}
	got, err := ParseAddCheckpoint(r.Marshal())
	if err != nil || got.OldSize != r.OldSize || len(got.Proof) != 2 || !bytes.Equal(got.Checkpoint, r.Checkpoint) {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	zero := AddCheckpoint{Checkpoint: []byte("o\n1\nh\n\n— o sig\n")}.Marshal()
	if !bytes.HasPrefix(zero, []byte("old 0\n\n")) {
		t.Fatalf("empty proof encodes as %q", zero)
	}
	for _, bad := range []string{"old 1\n", "new 1\n\nx", "old 01\n\nx", "old 1\nnot-base64\n\nx", "old 1\nAAAA\n\nx"} {
		if _, err := ParseAddCheckpoint([]byte(bad)); err == nil {
			t.Errorf("ParseAddCheckpoint(%q) succeeded", bad)
		}
	}
	var many bytes.Buffer
	many.WriteString("old 1\n")
	for i := 0; i < 64; i++ {
		many.WriteString("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n")
	}
	many.WriteString("\nx")
	if _, err := ParseAddCheckpoint(many.Bytes()); err == nil {
		t.Error("64 proof lines accepted")
	}
}
