package model

import "time"

// Event is an episode of interference: blocking, throttling or a shutdown,
// either detected from measurements or reported by a curated list.
type Event struct {
	Meta
	Country string  `json:"country"`
	Scope   string  `json:"scope"`
	ASNs    []int64 `json:"asns,omitempty"`
	Region  string  `json:"region,omitempty"`
	Kind    string  `json:"kind"`
	// Targets are platform slugs, services or domains.
	Targets    []string   `json:"targets,omitempty"`
	StartedAt  time.Time  `json:"started_at"`
	EndedAt    *time.Time `json:"ended_at"` // nil while ongoing
	Severity   *Severity  `json:"severity,omitempty"`
	Confidence string     `json:"confidence"`
	Detection  Detection  `json:"detection"`
	Evidence   Evidence   `json:"evidence"`
	Related    []string   `json:"related,omitempty"`
	Title      string     `json:"title,omitempty"`
	Summary    string     `json:"summary,omitempty"`
	// SourceID is stable across runs so that detecting or importing twice
	// updates an event instead of adding another.
	SourceID string `json:"source_id,omitempty"`
}

// Severity is one figure that says how bad an episode was, e.g.
// tls_handshake_ratio 30, anomaly_share 0.8, throughput_drop 0.9.
type Severity struct {
	Metric string  `json:"metric"`
	Value  float64 `json:"value"`
}

// Detection says how the event was found: by a named detector at a version
// with its parameters, or "reported" by a curated source.
type Detection struct {
	Detector string         `json:"detector"`
	Version  string         `json:"version,omitempty"`
	Params   map[string]any `json:"params,omitempty"`
}

// Evidence points at what supports an event.
type Evidence struct {
	Measurements []string `json:"measurements,omitempty"`
	Windows      []Window `json:"windows,omitempty"`
}

// Window is an aggregate over a time span, e.g. the hourly anomaly share.
type Window struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Metric string    `json:"metric"`
	Value  float64   `json:"value"`
	Count  int       `json:"count,omitempty"`
}

// DetectorReported marks events taken from a curated list.
const DetectorReported = "reported"

var (
	EventScopes = NewEnum("national", "regional", "network")
	// An outage is a disruption not shown to be intentional, as curated
	// outage lists report most of theirs.
	EventKinds      = NewEnum("blocking", "throttling", "shutdown", "dns_manipulation", "tls_interference", "outage")
	Confidences     = NewEnum("low", "medium", "high")
	SeverityMetrics = NewEnum("tls_handshake_ratio", "anomaly_share", "throughput_drop", "confirmed_share", "duration_hours")
)

func (*Event) Collection() string { return "events" }

func (e *Event) Validate(v *Validator) {
	validateMeta(v, &e.Meta)
	v.Country("country", e.Country, true)
	v.Enum("scope", e.Scope, EventScopes)
	v.Enum("kind", e.Kind, EventKinds)
	if e.StartedAt.IsZero() {
		v.Add("started_at", "is required")
	}
	e.StartedAt = e.StartedAt.UTC()
	if e.EndedAt != nil {
		t := e.EndedAt.UTC()
		e.EndedAt = &t
		if t.Before(e.StartedAt) {
			v.Add("ended_at", "must not be before started_at")
		}
	}
	if e.Scope == "network" && len(e.ASNs) == 0 {
		v.Add("asns", "is required when scope is network")
	}
	for i, a := range e.ASNs {
		if a <= 0 || a > 1<<32-1 {
			v.Add(v.Index("asns", i), "%d is not an AS number", a)
		}
	}
	if e.Severity != nil {
		v.Enum("severity.metric", e.Severity.Metric, SeverityMetrics)
		if e.Severity.Value < 0 {
			v.Add("severity.value", "must not be negative")
		}
	}
	v.Enum("confidence", e.Confidence, Confidences)
	v.Required("detection.detector", e.Detection.Detector)
	if e.Detection.Detector != DetectorReported && e.Detection.Version == "" {
		v.Add("detection.version", "is required for a detector")
	}
	if e.Detection.Detector == DetectorReported && len(e.Sources) == 0 {
		v.Add("sources", "a reported event needs its source")
	}
}

func (e *Event) Index() Index {
	ix := Index{Country: e.Country, Types: []string{e.Kind}, SourceID: e.SourceID,
		Start: timePtr(e.StartedAt), End: e.EndedAt,
		Text: append([]string{e.Title, e.Summary, e.Region}, e.Targets...)}
	if len(e.Targets) > 0 {
		ix.Platform = e.Targets[0]
	}
	return ix
}
