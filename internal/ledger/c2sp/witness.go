package c2sp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxProofLines is the most consistency proof hashes a witness request may carry.
const MaxProofLines = 63

// AddCheckpoint is the body of a tlog-witness add-checkpoint request.
type AddCheckpoint struct {
	OldSize    int64
	Proof      [][HashSize]byte
	Checkpoint []byte // a signed note
}

// Marshal encodes the request body.
func (r AddCheckpoint) Marshal() []byte {
	var b bytes.Buffer
	b.WriteString("old " + strconv.FormatInt(r.OldSize, 10) + "\n")
	for _, h := range r.Proof {
		b.WriteString(base64.StdEncoding.EncodeToString(h[:]) + "\n")
	}
	b.WriteString("\n")
	b.Write(r.Checkpoint)
	return b.Bytes()
}

// ParseAddCheckpoint decodes an add-checkpoint request body.
func ParseAddCheckpoint(body []byte) (AddCheckpoint, error) {
	var r AddCheckpoint
	head, note, ok := bytes.Cut(body, []byte("\n\n"))
	if !ok {
		return r, errors.New("no empty line before the checkpoint")
	}
	lines := strings.Split(string(head), "\n")
	old, ok := strings.CutPrefix(lines[0], "old ")
	if !ok {
		return r, errors.New(`first line must be "old <size>"`)
	}
	size, err := ParseSize(old)
	if err != nil {
		return r, fmt.Errorf("old size: %w", err)
	}
	r.OldSize = size
	if len(lines)-1 > MaxProofLines {
		return r, fmt.Errorf("%d consistency proof lines, at most %d allowed", len(lines)-1, MaxProofLines)
	}
	for i, l := range lines[1:] {
		h, err := ParseHash(l)
		if err != nil {
			return r, fmt.Errorf("consistency proof line %d: %w", i+1, err)
		}
		r.Proof = append(r.Proof, h)
	}
	r.Checkpoint = note
	return r, nil
}
