package ledger

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gowebpki/jcs"
)

func fixedSalt() []byte { return bytes.Repeat([]byte{7}, SaltSize) }

func TestLeafCommitsPersonalFields(t *testing.T) {
	body := []byte(`{"country":"TR","id":"01J","summary":"order against @someone <x>","version":1}`)
	leaf, secrets, err := BuildLeaf("demands", body, fixedSalt)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(leaf, []byte("someone")) {
		t.Fatalf("cleartext in the leaf: %s", leaf)
	}
	want := FieldCommitment(fixedSalt(), []byte(`"order against @someone <x>"`))
	if len(secrets) != 1 || secrets[0].Field != "summary" || secrets[0].Commitment != want {
		t.Fatalf("secrets %+v", secrets)
	}
	if canon, _ := jcs.Transform(leaf); !bytes.Equal(canon, leaf) {
		t.Fatalf("leaf is not canonical JSON: %s", leaf)
	}
	if !strings.HasPrefix(string(leaf), `{"collection":"demands","record":{`) {
		t.Fatalf("leaf %s", leaf)
	}
	again, err := RebuildLeaf("demands", body, secrets)
	if err != nil || !bytes.Equal(again, leaf) {
		t.Fatalf("rebuilt leaf differs: %s, %v", again, err)
	}
	// An edited value no longer rebuilds the leaf.
	edited := bytes.Replace(body, []byte("someone"), []byte("another"), 1)
	if other, _ := RebuildLeaf("demands", edited, secrets); bytes.Equal(other, leaf) {
		t.Fatal("an edited personal field rebuilt the same leaf")
	}
	// After redaction the body lists the erased field and the kept
	// commitment stands in for it.
	redacted := []byte(`{"country":"TR","id":"01J","redacted_fields":["summary"],"version":1}`)
	gone := []FieldSecret{{Field: "summary", Commitment: secrets[0].Commitment, Redacted: true}}
	if r, err := RebuildLeaf("demands", redacted, gone); err != nil || !bytes.Equal(r, leaf) {
		t.Fatalf("redacted record rebuilds %s, %v", r, err)
	}
	if _, err := RebuildLeaf("demands", redacted, nil); err == nil {
		t.Fatal("a redacted field without its commitment rebuilt")
	}
	// Records without personal fields are their canonical JSON in the envelope.
	plain := []byte(`{"country":"TR","id":"01K"}`)
	l2, s2, _ := BuildLeaf("demands", plain, fixedSalt)
	if string(l2) != `{"collection":"demands","record":{"country":"TR","id":"01K"}}` || s2 != nil {
		t.Fatalf("plain leaf %s", l2)
	}
	c, rec, err := LeafRecord(l2)
	if err != nil || c != "demands" || string(rec) != string(plain) {
		t.Fatalf("LeafRecord: %q %s %v", c, rec, err)
	}
}

func BenchmarkBuildLeaf(b *testing.B) {
	with := []byte(`{"country":"TR","granularity":"individual","id":"01J","platform":"01H","reason":"defamation","sources":[{"url":"https://example.org"}],"summary":"a court order about a journalist's posts","types":["content_removal"],"version":1}`)
	without := bytes.Replace(with, []byte(`"summary"`), []byte(`"service"`), 1)
	b.Run("personal", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			BuildLeaf("demands", with, fixedSalt)
		}
	})
	b.Run("plain", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			BuildLeaf("demands", without, fixedSalt)
		}
	})
}
