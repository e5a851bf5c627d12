package model

import (
	"maps"
	"slices"
	"time"
)

// Record is anything the registry writes: it knows its collection, validates
// itself and says how the store should index it.
type Record interface {
	Collection() string
	Base() *Meta
	// Validate checks the record and fills defaults; it must not need the store.
	Validate(v *Validator)
	Index() Index
}

// Index is what the stores extract from a record to filter, search and
// aggregate without parsing its JSON.
type Index struct {
	// Owner is the organisation the record belongs to: the platform for
	// demands and responses. A platform token may only write its own.
	Owner    string
	Country  string
	Platform string
	Types    []string
	Start    *time.Time
	End      *time.Time
	SourceID string
	// Ref links a record to its parent (a response to its demand).
	Ref string
	// Text is searchable text; stores fold it with fold.String.
	Text []string
	// Facts, when set, feed the compliance statistics.
	Facts *Facts
}

// Facts are the figures a demand or a response contributes to compliance
// statistics.
type Facts struct {
	Granularity   string
	Reason        string
	AuthorityType string
	Requests      *Count // how many demands this record stands for
	Requested     *Count // items requested (demands)
	Actioned      *Count // items actioned (responses)
}

// New returns an empty record of a collection, or nil if it is unknown.
func New(collection string) Record {
	if f, ok := collections[collection]; ok {
		return f()
	}
	return nil
}

// collections are the record types by collection name.
var collections = map[string]func() Record{
	"organisations": func() Record { return &Organisation{} },
	"authorities":   func() Record { return &Authority{} },
	"laws":          func() Record { return &Law{} },
	"demands":       func() Record { return &Demand{} },
	"responses":     func() Record { return &Response{} },
	"events":        func() Record { return &Event{} },
	"periods":       func() Record { return &Period{} },
	"cases":         func() Record { return &Case{} },
	"assessments":   func() Record { return &Assessment{} },
	"plans":         func() Record { return &Plan{} },
}

// Collections lists the collection names.
func Collections() []string {
	return slices.Sorted(maps.Keys(collections))
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
