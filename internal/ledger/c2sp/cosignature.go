package c2sp

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// algCosignatureV1 is the signature type byte of Ed25519 cosignatures.
const algCosignatureV1 = 0x04

// CosignatureKeyHash is the key ID of an Ed25519 cosigner:
// SHA-256(name || "\n" || 0x04 || public key)[:4].
func CosignatureKeyHash(name string, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte("\n"))
	h.Write([]byte{algCosignatureV1})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// CosignedMessage is what a cosignature/v1 signs.
func CosignedMessage(checkpointBody []byte, timestamp uint64) []byte {
	prefix := "cosignature/v1\ntime " + strconv.FormatUint(timestamp, 10) + "\n"
	return append([]byte(prefix), checkpointBody...)
}

// CosignatureSigner is a note.Signer producing cosignature/v1 signatures.
type CosignatureSigner struct {
	name string
	hash uint32
	key  ed25519.PrivateKey
	// Now gives the time written into cosignatures; time.Now when nil.
	Now func() time.Time
}

// Name returns the cosigner name.
func (s *CosignatureSigner) Name() string { return s.name }

// KeyHash returns the cosigner key ID.
func (s *CosignatureSigner) KeyHash() uint32 { return s.hash }

// Sign returns timestamp || Ed25519 signature over the cosigned message.
func (s *CosignatureSigner) Sign(msg []byte) ([]byte, error) {
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	ts := uint64(now().Unix())
	sig := make([]byte, 8, 8+ed25519.SignatureSize)
	binary.BigEndian.PutUint64(sig, ts)
	return append(sig, ed25519.Sign(s.key, CosignedMessage(msg, ts))...), nil
}

// Verifier returns the matching verifier.
func (s *CosignatureSigner) Verifier() *CosignatureVerifier {
	return &CosignatureVerifier{name: s.name, hash: s.hash, key: s.key.Public().(ed25519.PublicKey)}
}

// CosignatureVerifier is a note.Verifier for cosignature/v1 signatures.
type CosignatureVerifier struct {
	name string
	hash uint32
	key  ed25519.PublicKey
}

// Name returns the cosigner name.
func (v *CosignatureVerifier) Name() string { return v.name }

// KeyHash returns the cosigner key ID.
func (v *CosignatureVerifier) KeyHash() uint32 { return v.hash }

// Verify checks a timestamped signature over msg, a checkpoint body.
func (v *CosignatureVerifier) Verify(msg, sig []byte) bool {
	if len(sig) != 8+ed25519.SignatureSize {
		return false
	}
	ts := binary.BigEndian.Uint64(sig)
	if ts > 1<<63-1 {
		return false
	}
	return ed25519.Verify(v.key, CosignedMessage(msg, ts), sig[8:])
}

// Key returns the verifier key in vkey form: name+hash+base64(0x04||key).
func (v *CosignatureVerifier) Key() string {
	return fmt.Sprintf("%s+%08x+%s", v.name, v.hash,
		base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, v.key...)))
}

// CosignatureTime returns the timestamp inside a cosignature (the bytes after
// the 4-byte key ID).
func CosignatureTime(sig []byte) (time.Time, error) {
	if len(sig) != 8+ed25519.SignatureSize {
		return time.Time{}, errors.New("cosignature has the wrong length")
	}
	return time.Unix(int64(binary.BigEndian.Uint64(sig)), 0).UTC(), nil
}

// GenerateCosignatureKey creates a new cosigner key pair. The private key is
// written "PRIVATE+KEY+name+hash+base64(0x04||seed)", the public one as a vkey.
func GenerateCosignatureKey(rand io.Reader, name string) (skey, vkey string, err error) {
	if !validName(name) {
		return "", "", fmt.Errorf("invalid key name %q", name)
	}
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return "", "", err
	}
	hash := CosignatureKeyHash(name, pub)
	skey = fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, hash,
		base64.StdEncoding.EncodeToString(append([]byte{algCosignatureV1}, priv.Seed()...)))
	vkey = (&CosignatureVerifier{name: name, hash: hash, key: pub}).Key()
	return skey, vkey, nil
}

// NewCosignatureSigner parses a private key made by GenerateCosignatureKey.
func NewCosignatureSigner(skey string) (*CosignatureSigner, error) {
	rest, ok := strings.CutPrefix(skey, "PRIVATE+KEY+")
	if !ok {
		return nil, errors.New("cosigner key: does not start with PRIVATE+KEY+")
	}
	name, hash, key, err := splitKey(rest)
	if err != nil {
		return nil, fmt.Errorf("cosigner key: %w", err)
	}
	if len(key) != 1+ed25519.SeedSize || key[0] != algCosignatureV1 {
		return nil, errors.New("cosigner key: not an Ed25519 cosignature/v1 key")
	}
	priv := ed25519.NewKeyFromSeed(key[1:])
	if CosignatureKeyHash(name, priv.Public().(ed25519.PublicKey)) != hash {
		return nil, errors.New("cosigner key: key hash does not match")
	}
	return &CosignatureSigner{name: name, hash: hash, key: priv}, nil
}

// NewCosignatureVerifier parses a vkey name+hash+base64(0x04||key).
func NewCosignatureVerifier(vkey string) (*CosignatureVerifier, error) {
	name, hash, key, err := splitKey(vkey)
	if err != nil {
		return nil, fmt.Errorf("cosigner verifier key: %w", err)
	}
	if len(key) != 1+ed25519.PublicKeySize || key[0] != algCosignatureV1 {
		return nil, errors.New("cosigner verifier key: not an Ed25519 cosignature/v1 key")
	}
	pub := ed25519.PublicKey(key[1:])
	if CosignatureKeyHash(name, pub) != hash {
		return nil, errors.New("cosigner verifier key: key hash does not match")
	}
	return &CosignatureVerifier{name: name, hash: hash, key: pub}, nil
}

// splitKey splits "name+hash+base64"; names hold no '+', base64 may.
func splitKey(s string) (name string, hash uint32, key []byte, err error) {
	parts := strings.SplitN(s, "+", 3)
	if len(parts) != 3 {
		return "", 0, nil, errors.New("malformed key")
	}
	name = parts[0]
	if !validName(name) {
		return "", 0, nil, fmt.Errorf("invalid key name %q", name)
	}
	h, err := strconv.ParseUint(parts[1], 16, 32)
	if err != nil || len(parts[1]) != 8 {
		return "", 0, nil, errors.New("malformed key hash")
	}
	key, err = base64.StdEncoding.DecodeString(parts[2])
	if err != nil {
		return "", 0, nil, errors.New("malformed key: bad base64")
	}
	return name, uint32(h), key, nil
}

// validName follows the signed-note rules: non-empty, no spaces or plus signs.
func validName(name string) bool {
	if name == "" || !utf8.ValidString(name) || strings.Contains(name, "+") {
		return false
	}
	for _, r := range name {
		if unicode.IsSpace(r) {
			return false
		}
	}
	return true
}
