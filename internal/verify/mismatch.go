package verify

import "fmt"

// Kind names what a failed check found, so that a monitor can alert on it.
type Kind string

const (
	// Unsigned: the checkpoint is not validly signed by the log key.
	Unsigned Kind = "unsigned"
	// QuorumLost: fewer trusted witnesses cosigned the checkpoint than required.
	QuorumLost Kind = "quorum_lost"
	// Shrunk: the log has fewer entries than a checkpoint seen earlier.
	Shrunk Kind = "shrunk"
	// Forked: the log is not an extension of a checkpoint seen earlier.
	Forked Kind = "forked"
	// Changed: a record served now differs from its log entry.
	Changed Kind = "changed"
	// Deleted: a logged record version is no longer served or stored.
	Deleted Kind = "deleted"
	// Altered: a file (an evidence bundle, a snapshot) is not what was published.
	Altered Kind = "altered"
	// Malformed: something is not in the format it must be in.
	Malformed Kind = "malformed"
)

// Mismatch is a verification failure: the log, a record or a file is not
// what was published. Msg says what went wrong in one plain sentence;
// Advice, when set, says what it means and what to keep.
type Mismatch struct {
	Kind   Kind
	Msg    string
	Advice string
}

func (m *Mismatch) Error() string {
	if m.Advice == "" {
		return m.Msg
	}
	return m.Msg + " " + m.Advice
}

func mismatch(kind Kind, format string, args ...any) *Mismatch {
	return &Mismatch{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func (m *Mismatch) advise(format string, args ...any) *Mismatch {
	m.Advice = fmt.Sprintf(format, args...)
	return m
}

// Fail returns a Mismatch of kind with a one-sentence message; other
// packages (evidence bundles, snapshots) report their failures with it.
func Fail(kind Kind, format string, args ...any) error { return mismatch(kind, format, args...) }
