package c2sp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// ProofHeader is the first line of a c2sp.org/tlog-proof.
const ProofHeader = "c2sp.org/tlog-proof@v1"

// Proof is an offline-verifiable inclusion proof (c2sp.org/tlog-proof):
// an entry index, its inclusion proof and the signed checkpoint it leads to.
type Proof struct {
	Extra      []byte // optional, unauthenticated
	Index      int64
	Hashes     [][HashSize]byte
	Checkpoint []byte // a signed note, verbatim
}

// Marshal encodes the proof.
func (p Proof) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString(ProofHeader + "\n")
	if len(p.Extra) > 0 {
		b.WriteString("extra " + base64.StdEncoding.EncodeToString(p.Extra) + "\n")
	}
	b.WriteString("index " + strconv.FormatInt(p.Index, 10) + "\n")
	for _, h := range p.Hashes {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(p.Checkpoint)
	return b.Bytes()
}

// ParseProof decodes a tlog-proof.
func ParseProof(text []byte) (Proof, error) {
	var p Proof
	head, note, ok := bytes.Cut(text, []byte("\n\n"))
	if !ok {
		return p, errors.New("tlog-proof: no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	if lines[0] != ProofHeader {
		return p, fmt.Errorf("tlog-proof: first line must be %q", ProofHeader)
	}
	lines = lines[1:]
	if len(lines) > 0 {
		if e, ok := strings.CutPrefix(lines[0], "extra "); ok {
			b, err := base64.StdEncoding.DecodeString(e)
			if err != nil {
				return p, errors.New("tlog-proof: extra line is not base64")
			}
			p.Extra = b
			lines = lines[1:]
		}
	}
	if len(lines) == 0 {
		return p, errors.New("tlog-proof: missing index line")
	}
	idx, ok := strings.CutPrefix(lines[0], "index ")
	if !ok {
		return p, errors.New(`tlog-proof: expected "index <n>"`)
	}
	n, err := ParseSize(idx)
	if err != nil {
		return p, fmt.Errorf("tlog-proof: index: %w", err)
	}
	p.Index = n
	for i, l := range lines[1:] {
		h, err := ParseHash(l)
		if err != nil {
			return p, fmt.Errorf("tlog-proof: proof line %d: %w", i+1, err)
		}
		p.Hashes = append(p.Hashes, h)
	}
	p.Checkpoint = note
	return p, nil
}
