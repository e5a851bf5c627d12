package cases

import (
	"strings"
	"testing"

	"filippo.io/age"
)

func mustIdentity(t testing.TB) *age.X25519Identity {
	t.Helper()
	id, err := GenerateIdentity()
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSealOpen(t *testing.T) {
	a, b, stranger := mustIdentity(t), mustIdentity(t), mustIdentity(t)
	in := Details{Text: "MARKER-7f3a account of @activist suspended", Identities: []string{"@activist"},
		Evidence: []Evidence{{Name: "shot.png", Type: "image/png", Data: []byte{0x89, 'P', 'N', 'G'}}}}
	sealed, err := SealJSON(in, []string{a.Recipient().String(), b.Recipient().String()})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sealed, "-----BEGIN AGE ENCRYPTED FILE-----") || strings.Contains(sealed, "MARKER") {
		t.Fatalf("not armored ciphertext: %.80s", sealed)
	}
	for _, id := range []*age.X25519Identity{a, b} {
		var out Details
		if err := OpenJSON(sealed, &out, id); err != nil {
			t.Fatal(err)
		}
		if out.Text != in.Text || out.Identities[0] != "@activist" || string(out.Evidence[0].Data) != "\x89PNG" {
			t.Errorf("opened %+v", out)
		}
	}
	_, err = Open(sealed, stranger)
	if err == nil || !strings.Contains(err.Error(), "none of your keys") {
		t.Errorf("a stranger opened the case: %v", err)
	}
	if _, err := Open("hello", a); err == nil {
		t.Error("plaintext opened")
	}
}

func TestParseRecipientsNamesTheBadOne(t *testing.T) {
	a := mustIdentity(t)
	_, err := ParseRecipients([]string{a.Recipient().String(), "age1xyz"})
	if err == nil || !strings.Contains(err.Error(), "recipient 2") {
		t.Errorf("err = %v", err)
	}
	ids, err := ParseIdentities(strings.NewReader("# created: now\n" + a.String() + "\n"))
	if err != nil || len(ids) != 1 {
		t.Errorf("identities %v %v", ids, err)
	}
}
