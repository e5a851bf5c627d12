// Package cases holds what Candor knows about cases apart from storing them:
// sealing and opening their private parts with age, who may move a case to
// which status, the service clocks, and the public aggregate statistics.
package cases

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"
	"filippo.io/age/armor"

	"github.com/candor-observatory/candor/internal/model"
)

// Details is what a case's sealed part holds once opened. The browser page
// writes the same JSON.
type Details struct {
	// Text is the full account: what happened, to whom, what is asked.
	Text string `json:"text"`
	// Identities names the people at risk (names, handles, account URLs).
	Identities []string   `json:"identities,omitempty"`
	Links      []string   `json:"links,omitempty"`
	Evidence   []Evidence `json:"evidence,omitempty"`
}

// Message is what one sealed follow-up holds once opened.
type Message struct {
	Text     string     `json:"text"`
	Evidence []Evidence `json:"evidence,omitempty"`
}

// Evidence is a file carried inside the sealed part.
type Evidence struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	Data []byte `json:"data"`
}

// GenerateIdentity makes a new X25519 key pair; the caller keeps the
// identity (AGE-SECRET-KEY-1...) and publishes its recipient (age1...).
func GenerateIdentity() (*age.X25519Identity, error) { return age.GenerateX25519Identity() }

// ParseRecipients reads age1... keys, naming the one that is wrong.
func ParseRecipients(keys []string) ([]age.Recipient, error) {
	if len(keys) == 0 {
		return nil, errors.New("no recipients")
	}
	out := make([]age.Recipient, len(keys))
	for i, k := range keys {
		r, err := age.ParseX25519Recipient(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("recipient %d (%q): %w", i+1, k, err)
		}
		out[i] = r
	}
	return out, nil
}

// ParseIdentities reads an identity file: AGE-SECRET-KEY-1... lines,
// comments and blank lines as age-keygen writes them.
func ParseIdentities(r io.Reader) ([]age.Identity, error) {
	ids, err := age.ParseIdentities(r)
	if err != nil {
		return nil, fmt.Errorf("reading identities: %w", err)
	}
	return ids, nil
}

// Seal encrypts plaintext to the recipients and returns ASCII armor.
func Seal(plaintext []byte, recipients []string) (string, error) {
	rs, err := ParseRecipients(recipients)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	aw := armor.NewWriter(&buf)
	w, err := age.Encrypt(aw, rs...)
	if err != nil {
		return "", err
	}
	if _, err := w.Write(plaintext); err != nil {
		return "", err
	}
	if err := w.Close(); err != nil {
		return "", err
	}
	if err := aw.Close(); err != nil {
		return "", err
	}
	return buf.String(), nil
}

// SealJSON seals the JSON form of v.
func SealJSON(v any, recipients []string) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return Seal(b, recipients)
}

// Open decrypts armored or base64 age ciphertext with any of the identities.
func Open(sealed string, ids ...age.Identity) ([]byte, error) {
	if problem := model.CheckAgeCiphertext(sealed); problem != "" {
		return nil, fmt.Errorf("sealed part %s", problem)
	}
	var src io.Reader = strings.NewReader(sealed)
	if strings.HasPrefix(strings.TrimSpace(sealed), "-----BEGIN") {
		src = armor.NewReader(strings.NewReader(strings.TrimSpace(sealed)))
	} else {
		src = newBase64Reader(sealed)
	}
	r, err := age.Decrypt(src, ids...)
	if err != nil {
		var noMatch *age.NoIdentityMatchError
		if errors.As(err, &noMatch) {
			return nil, errors.New("none of your keys is a recipient of this case")
		}
		return nil, err
	}
	return io.ReadAll(io.LimitReader(r, model.MaxSealed))
}

// OpenJSON opens sealed and decodes its JSON into v.
func OpenJSON(sealed string, v any, ids ...age.Identity) error {
	b, err := Open(sealed, ids...)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("opened sealed part is not the JSON expected: %w", err)
	}
	return nil
}

func newBase64Reader(s string) io.Reader {
	return base64.NewDecoder(base64.StdEncoding, strings.NewReader(strings.Join(strings.Fields(s), "")))
}
