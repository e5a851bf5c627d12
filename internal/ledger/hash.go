// Package ledger keeps Candor's verifiable log: an append-only RFC 6962 Merkle
// tree over every published record version, stored as C2SP tlog-tiles, with
// signed checkpoints, inclusion and consistency proofs, and the HTTP API of
// c2sp.org/tlog-tiles.
package ledger

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Hash is a SHA-256 Merkle tree hash.
type Hash [32]byte

func (h Hash) String() string { return base64.StdEncoding.EncodeToString(h[:]) }

// LeafHash is the RFC 6962 hash of a leaf: SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash is the RFC 6962 hash of an interior node: SHA-256(0x01 || l || r).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 64]byte
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[33:], right[:])
	return sha256.Sum256(buf[:])
}

// emptyHash is the root of the empty tree: SHA-256 of nothing.
var emptyHash = Hash(sha256.Sum256(nil))

// reduce computes the root of a perfect subtree from its 2^k consecutive
// bottom hashes, packed 32 bytes each.
func reduce(hashes []byte) Hash {
	n := len(hashes) / 32
	if n == 1 {
		return Hash(hashes[:32])
	}
	var buf [TileWidth]Hash // n is at most a tile's width
	level := buf[:n]
	for i := range level {
		copy(level[i][:], hashes[i*32:])
	}
	for len(level) > 1 {
		for i := 0; i < len(level)/2; i++ {
			level[i] = NodeHash(level[2*i], level[2*i+1])
		}
		level = level[:len(level)/2]
	}
	return level[0]
}

// MarshalText writes the hash in base64, as tlog formats do.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads a base64 hash.
func (h *Hash) UnmarshalText(b []byte) error {
	d, err := base64.StdEncoding.DecodeString(string(b))
	if err != nil || len(d) != len(h) {
		return fmt.Errorf("%q is not a base64 SHA-256 hash", b)
	}
	copy(h[:], d)
	return nil
}
