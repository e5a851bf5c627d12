// Package c2sp reads and writes the text formats of the C2SP transparency-log
// specifications: checkpoints (tlog-checkpoint), Ed25519 cosignatures
// (tlog-cosignature, cosignature/v1), witness requests (tlog-witness) and
// offline proofs (tlog-proof).
package c2sp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// HashSize is the size of a SHA-256 Merkle tree hash.
const HashSize = 32

// Checkpoint is the body of a signed tree head (c2sp.org/tlog-checkpoint).
type Checkpoint struct {
	Origin     string
	Size       int64
	Hash       [HashSize]byte
	Extensions []string
}

// Marshal returns the note body: origin, size, base64 root hash and
// extension lines, each ending in a newline.
func (c Checkpoint) Marshal() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\n%d\n%s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Hash[:]))
	for _, e := range c.Extensions {
		b.WriteString(e)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// ParseCheckpoint parses a note body (the text before the signatures).
func ParseCheckpoint(text []byte) (Checkpoint, error) {
	var c Checkpoint
	if !bytes.HasSuffix(text, []byte("\n")) {
		return c, errors.New("checkpoint: body does not end in a newline")
	}
	lines := strings.Split(string(text[:len(text)-1]), "\n")
	if len(lines) < 3 {
		return c, errors.New("checkpoint: need origin, size and root hash lines")
	}
	if lines[0] == "" {
		return c, errors.New("checkpoint: empty origin line")
	}
	c.Origin = lines[0]
	size, err := ParseSize(lines[1])
	if err != nil {
		return c, fmt.Errorf("checkpoint: size line: %w", err)
	}
	c.Size = size
	h, err := ParseHash(lines[2])
	if err != nil {
		return c, fmt.Errorf("checkpoint: root hash line: %w", err)
	}
	c.Hash = h
	for _, e := range lines[3:] {
		if e == "" {
			return c, errors.New("checkpoint: empty extension line")
		}
		c.Extensions = append(c.Extensions, e)
	}
	return c, nil
}

// ParseSize parses a tree size: ASCII decimal without leading zeroes.
func ParseSize(s string) (int64, error) {
	if s == "" || (len(s) > 1 && s[0] == '0') || strings.TrimLeft(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a decimal size without leading zeroes", s)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: %w", s, err)
	}
	return n, nil
}

// ParseHash decodes one base64 SHA-256 hash.
func ParseHash(s string) ([HashSize]byte, error) {
	var h [HashSize]byte
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return h, fmt.Errorf("%q is not base64: %w", s, err)
	}
	if len(b) != HashSize {
		return h, fmt.Errorf("%q decodes to %d bytes, want %d", s, len(b), HashSize)
	}
	copy(h[:], b)
	return h, nil
}
