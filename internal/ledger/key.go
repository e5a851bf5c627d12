package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// LoadOrCreateKey returns the log's private signing key (a signed-note
// "PRIVATE+KEY+..." string). value, from a flag or CANDOR_LOG_KEY, is either
// the key itself or the path of a file holding it. When value is empty the key
// is read from path, or created there with mode 0600 on first start under the
// given key name (the log origin).
func LoadOrCreateKey(value, path, name string) (skey string, created bool, err error) {
	if strings.HasPrefix(value, "PRIVATE+KEY+") {
		return value, false, checkKey(value)
	}
	if value != "" {
		path = value
	}
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		fi, err := os.Stat(path)
		if err != nil {
			return "", false, err
		}
		if fi.Mode().Perm()&0o077 != 0 {
			return "", false, fmt.Errorf("log key %s: readable by others (mode %v); run chmod 600 %s", path, fi.Mode().Perm(), path)
		}
		skey = strings.TrimSpace(string(data))
		if err := checkKey(skey); err != nil {
			return "", false, fmt.Errorf("log key %s: %w", path, err)
		}
		return skey, false, nil
	case value != "" || !errors.Is(err, fs.ErrNotExist):
		return "", false, fmt.Errorf("log key: %w", err)
	}
	skey, _, err = note.GenerateKey(rand.Reader, name)
	if err != nil {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", false, fmt.Errorf("log key: %w", err)
	}
	if _, err := f.WriteString(skey + "\n"); err != nil {
		f.Close()
		return "", false, fmt.Errorf("log key %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", false, fmt.Errorf("log key %s: %w", path, err)
	}
	return skey, true, f.Close()
}

func checkKey(skey string) error {
	if _, err := note.NewSigner(skey); err != nil {
		return fmt.Errorf("not a signed-note Ed25519 private key: %w", err)
	}
	return nil
}

// VerifierKey derives the public verifier key (name+hash+base64) from a private key.
func VerifierKey(skey string) (string, error) {
	// PRIVATE+KEY+name+hash+base64(0x01||seed); names hold no '+', base64 may.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("not a private key")
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		return "", err
	}
	seed, err := decodeSeed(parts[4])
	if err != nil {
		return "", err
	}
	return note.NewEd25519VerifierKey(s.Name(), seed)
}
func decodeSeed(b64 string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return nil, errors.New("not an Ed25519 signed-note key")
	}
	return ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey), nil
}
