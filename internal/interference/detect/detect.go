// Package detect finds episodes of blocking and throttling in scored
// measurements as they arrive and turns each into an interference event
// that goes through three phases: opened, revised (once), closed.
//
// The detector is causal: measurements are folded into five-minute
// buckets per network and domain, buckets are closed in time order, and
// every decision depends only on the buckets closed so far. Feeding it a
// month at once or a minute at a time gives the same events, version for
// version. Memory grows with networks × domains, not with measurements or
// time. See docs/design/interference-detection.md.
package detect

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/candor-observatory/candor/internal/model"
	"github.com/candor-observatory/candor/internal/platform"
)

// Version changes whenever a change to the detectors can change their output.
const Version = "2"

// Detector names, as they appear in events.
const (
	BlockingDetector   = "candor.blocking-cusum"
	ThrottlingDetector = "candor.throttling-cusum"
)

// Params are the detectors' knobs; they are recorded in every event.
type Params struct {
	// Bucket is the time step: measurements are counted per network,
	// domain and bucket.
	Bucket time.Duration
	// Lateness is how long after a bucket ends a stream waits for its
	// stragglers before closing it.
	Lateness time.Duration
	// Revise is the least time between an opened event and its one revision.
	Revise time.Duration
	// BaselineWindow is the history the usual levels are taken from, and
	// MinBaselineBuckets how many buckets with handshakes a domain needs
	// before its handshake times are judged.
	BaselineWindow     time.Duration
	MinBaselineBuckets int
	// Blocking: a Bernoulli CUSUM on the share of anomalous or confirmed
	// measurements, from the baseline share p0 (the recent mean, at least
	// 3%) to p0+BlockShift, alarming at log-likelihood BlockH.
	BlockShift float64
	BlockH     float64
	// MinBlockedShare is the least share the buckets before an alarm must
	// average for an episode to open.
	MinBlockedShare float64
	// Throttling: a CUSUM on the log ratio of a bucket's median handshake
	// to the domains' usual time, less the controls' rise, with slack
	// ln(ThrottleSlack), alarming at ThrottleH. A bucket weighs as many
	// handshakes as it has, up to MaxWeight.
	ThrottleSlack float64
	ThrottleH     float64
	MaxWeight     int
	// ControlMax is the highest handshake ratio control domains on the
	// same network may show for a rise to count as targeted throttling.
	ControlMax float64
	// MaxEvidence caps the measurement ids kept in an event, MaxWindows
	// the hourly windows, so that an event stays well under 64 KiB.
	MaxEvidence int
	MaxWindows  int
}

// DefaultParams are the parameters the tests and `candor detect` use.
func DefaultParams() Params {
	return Params{Bucket: 5 * time.Minute, Lateness: 2 * time.Minute, Revise: 6 * time.Hour,
		BaselineWindow: 24 * time.Hour, MinBaselineBuckets: 12,
		BlockShift: 0.5, BlockH: 10, MinBlockedShare: 0.3,
		ThrottleSlack: 1.5, ThrottleH: 6, MaxWeight: 8, ControlMax: 1.5,
		MaxEvidence: 150, MaxWindows: 96}
}

func (p Params) common() map[string]any {
	return map[string]any{"bucket_minutes": p.Bucket.Minutes(), "lateness_minutes": p.Lateness.Minutes(),
		"revise_hours": p.Revise.Hours(), "baseline_hours": p.BaselineWindow.Hours()}
}

func (p Params) blockingMap() map[string]any {
	m := p.common()
	m["shift"], m["h"], m["min_share"] = p.BlockShift, p.BlockH, p.MinBlockedShare
	m["baseline"], m["series"] = "mean share of quiet buckets, min 0.03", "country,asn,platform,bucket"
	return m
}

func (p Params) throttlingMap() map[string]any {
	m := p.common()
	m["slack_ratio"], m["h"], m["max_weight"], m["control_max_ratio"] = p.ThrottleSlack, p.ThrottleH, p.MaxWeight, p.ControlMax
	m["baseline"], m["series"] = "median of quiet buckets' median handshake per domain", "country,asn,platform,bucket"
	return m
}

// Transition is a new version of an event: the phase it enters and the
// whole event as of then.
type Transition struct {
	Phase string
	Event *model.Event
}

type netKey struct {
	cc  string
	asn int64
}

type domainKey struct {
	net    netKey
	domain string
}

type platformKey struct {
	net      netKey
	platform string
}

// bucket counts one domain's measurements on one network in one bucket.
// Samples and ids are kept sorted by measurement id and capped, so that
// what is kept does not depend on the order measurements arrived in.
type bucket struct {
	n, failure, blocked, confirmed, dns, httpFailure int
	tls                                              []sample
	blockedIDs                                       []string
}

type sample struct {
	id string
	ms float64
}

const (
	maxIDsPerBucket     = 32
	maxSamplesPerBucket = 64
)

// domainState is what is remembered of one domain on one network.
type domainState struct {
	platform string
	history  []point // recent quiet buckets' median handshake (ms)
	baseline float64 // usual handshake time, 0 until there is enough history
	computed int64   // bucket the baseline was last computed at
}

type point struct {
	b int64
	v float64
}

// series is one platform on one network: its two detectors.
type series struct {
	throttle machine
	block    machine
	history  []counts // recent quiet buckets' usable and blocked counts
	sumN     int
	sumK     int
}

type counts struct {
	b    int64
	n, k int
}

// Detector accumulates measurements and closes buckets in time order.
type Detector struct {
	p        Params
	next     int64 // the first bucket not yet closed
	open     map[int64]map[domainKey]*bucket
	domains  map[domainKey]*domainState
	series   map[platformKey]*series
	national map[nationalKey]*nationalState
}

// New returns an empty Detector.
func New(p Params) *Detector {
	return &Detector{p: p, next: math.MinInt64, open: map[int64]map[domainKey]*bucket{},
		domains: map[domainKey]*domainState{}, series: map[platformKey]*series{}, national: map[nationalKey]*nationalState{}}
}

func (d *Detector) bucketOf(t time.Time) int64 {
	return floorDiv(t.UnixNano(), int64(d.p.Bucket))
}

func (d *Detector) bucketStart(b int64) time.Time { return time.Unix(0, b*int64(d.p.Bucket)).UTC() }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Closed is the time before which every bucket has been closed: a
// measurement older than that is too late to be counted.
func (d *Detector) Closed() time.Time {
	if d.next == math.MinInt64 {
		return time.Time{}
	}
	return d.bucketStart(d.next)
}

// Add folds one measurement in and reports whether it was counted: a
// measurement whose bucket is already closed is not. Measurements must be
// deduplicated.
func (d *Detector) Add(m *model.Measurement) bool {
	b := d.bucketOf(m.StartTime)
	if b < d.next {
		return false
	}
	dom := m.Domain
	if dom == "" {
		dom = "test:" + m.TestName
	}
	k := domainKey{netKey{m.ProbeCC, m.ProbeASN}, dom}
	if _, ok := d.domains[k]; !ok {
		d.domains[k] = &domainState{platform: m.Platform}
	}
	byDomain := d.open[b]
	if byDomain == nil {
		byDomain = map[domainKey]*bucket{}
		d.open[b] = byDomain
	}
	bk := byDomain[k]
	if bk == nil {
		bk = &bucket{}
		byDomain[k] = bk
	}
	bk.n++
	id := m.Key()
	switch m.Outcome {
	case "failure":
		bk.failure++
		return true
	case "confirmed":
		bk.confirmed++
		fallthrough
	case "anomaly":
		bk.blocked++
		switch m.BlockingType {
		case "dns":
			bk.dns++
		case "http-failure":
			bk.httpFailure++
		}
		bk.blockedIDs = insertSorted(bk.blockedIDs, id, maxIDsPerBucket)
	}
	if m.TLSHandshake != nil {
		bk.tls = insertSample(bk.tls, sample{id, *m.TLSHandshake}, maxSamplesPerBucket)
	}
	return true
}

// insertSorted keeps the n smallest ids, sorted.
func insertSorted(ids []string, id string, n int) []string {
	i, found := slices.BinarySearch(ids, id)
	if found || i >= n {
		return ids
	}
	ids = slices.Insert(ids, i, id)
	if len(ids) > n {
		ids = ids[:n]
	}
	return ids
}

func insertSample(s []sample, x sample, n int) []sample {
	i, found := slices.BinarySearchFunc(s, x.id, func(a sample, id string) int { return cmp.Compare(a.id, id) })
	if found || i >= n {
		return s
	}
	s = slices.Insert(s, i, x)
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// Close closes every bucket that ends at or before until, in time order,
// and returns the versions of events that this made.
func (d *Detector) Close(until time.Time) []Transition {
	limit := floorDiv(until.UnixNano(), int64(d.p.Bucket))
	if limit <= d.next {
		return nil
	}
	var pending []int64
	for b := range d.open {
		if b < limit {
			pending = append(pending, b)
		}
	}
	slices.Sort(pending)
	var out []Transition
	for _, b := range pending {
		out = append(out, d.closeBucket(b, d.open[b])...)
		delete(d.open, b)
	}
	d.next = limit
	return out
}

// closeBucket runs both detectors over one bucket, network by network and
// platform by platform, in a fixed order.
func (d *Detector) closeBucket(b int64, content map[domainKey]*bucket) []Transition {
	keys := slices.SortedFunc(func(yield func(domainKey) bool) {
		for k := range content {
			if !yield(k) {
				return
			}
		}
	}, func(a, b domainKey) int {
		return cmp.Or(cmp.Compare(a.net.cc, b.net.cc), cmp.Compare(a.net.asn, b.net.asn), cmp.Compare(a.domain, b.domain))
	})
	var out []Transition
	for i := 0; i < len(keys); {
		j := i
		for j < len(keys) && keys[j].net == keys[i].net {
			j++
		}
		out = append(out, d.closeNetwork(b, keys[i].net, keys[i:j], content)...)
		i = j
	}
	return out
}

// ratios are one bucket's handshakes of one domain as log ratios to the
// domain's usual time.
type ratios struct {
	domain   string
	platform string
	logs     []float64
}

func (d *Detector) closeNetwork(b int64, net netKey, keys []domainKey, content map[domainKey]*bucket) []Transition {
	var measured []ratios
	platforms := map[string][]domainKey{}
	for _, k := range keys {
		ds := d.domains[k]
		if ds.platform != "" {
			platforms[ds.platform] = append(platforms[ds.platform], k)
		}
		bk := content[k]
		if ds.baseline > 0 && len(bk.tls) > 0 {
			r := ratios{domain: k.domain, platform: ds.platform}
			for _, s := range bk.tls {
				r.logs = append(r.logs, math.Log(math.Max(s.ms, 1)/ds.baseline))
			}
			measured = append(measured, r)
		}
	}
	var out []Transition
	for _, pl := range slices.Sorted(func(yield func(string) bool) {
		for p := range platforms {
			if !yield(p) {
				return
			}
		}
	}) {
		pk := platformKey{net, pl}
		s := d.series[pk]
		if s == nil {
			s = &series{}
			d.series[pk] = s
		}
		out = append(out, d.step(b, pk, s, platforms[pl], measured, content)...)
	}
	// Quiet buckets teach the domains' usual handshake times.
	for _, k := range keys {
		ds := d.domains[k]
		bk := content[k]
		if len(bk.tls) == 0 {
			continue
		}
		if s := d.series[platformKey{net, ds.platform}]; s != nil && !s.throttle.quiet() {
			continue
		}
		ms := make([]float64, len(bk.tls))
		for i, x := range bk.tls {
			ms[i] = x.ms
		}
		ds.learn(b, median(ms), d.p)
	}
	return out
}

func (ds *domainState) learn(b int64, v float64, p Params) {
	window := int64(p.BaselineWindow / p.Bucket)
	ds.history = append(ds.history, point{b, v})
	drop := 0
	for drop < len(ds.history) && ds.history[drop].b <= b-window {
		drop++
	}
	ds.history = ds.history[drop:]
	// Recomputed once an hour of data: a median of a day's buckets is
	// stable, and sorting it every five minutes would be most of the work.
	if len(ds.history) >= p.MinBaselineBuckets && (ds.baseline == 0 || b-ds.computed >= int64(time.Hour/p.Bucket)) {
		vs := make([]float64, len(ds.history))
		for i, x := range ds.history {
			vs[i] = x.v
		}
		ds.baseline, ds.computed = median(vs), b
	}
}

func (s *series) learn(b int64, n, k int, p Params) {
	window := int64(p.BaselineWindow / p.Bucket)
	s.history = append(s.history, counts{b, n, k})
	s.sumN += n
	s.sumK += k
	drop := 0
	for drop < len(s.history) && s.history[drop].b <= b-window {
		s.sumN -= s.history[drop].n
		s.sumK -= s.history[drop].k
		drop++
	}
	s.history = s.history[drop:]
}

// baselineShare is the usual share of blocked measurements.
func (s *series) baselineShare() float64 {
	p0 := 0.03
	if s.sumN >= 20 {
		p0 = float64(s.sumK) / float64(s.sumN)
	}
	return math.Min(math.Max(p0, 0.03), 0.45)
}

// step runs one platform's detectors over one bucket.
func (d *Detector) step(b int64, pk platformKey, s *series, keys []domainKey, measured []ratios, content map[domainKey]*bucket) []Transition {
	var out []Transition
	// Throttling: the platform's handshakes against the other domains'.
	var own, control []float64
	ownDomains := map[string]bool{}
	for _, r := range measured {
		if r.platform == pk.platform {
			own = append(own, r.logs...)
			ownDomains[r.domain] = true
		} else {
			control = append(control, r.logs...)
		}
	}
	slowed := false
	if len(own) > 0 {
		m := math.Min(median(own), math.Log(100))
		c := 0.0
		if len(control) >= 2 {
			c = median(control)
		}
		adj := m - math.Max(0, c)
		slowed = adj > math.Log(d.p.ThrottleSlack)
		st := stat{b: b, samples: len(own), ratio: math.Exp(m), domains: sortedKeys(ownDomains)}
		if len(control) >= 2 {
			st.control, st.controls = math.Exp(c), len(control)
		}
		for _, k := range keys {
			for _, x := range content[k].tls {
				st.ids = append(st.ids, x.id)
			}
		}
		e := float64(min(len(own), d.p.MaxWeight)) * (adj - math.Log(d.p.ThrottleSlack))
		if t := s.throttle.step(e, st, d.p.ThrottleH, d.acceptThrottling, d.p); t != "" {
			out = append(out, d.version(t, pk, "throttling", &s.throttle, b)...)
		} else if s.throttle.ep != nil {
			out = append(out, d.maybeRevise(pk, "throttling", &s.throttle, b)...)
		}
	}

	// Blocking: the share of anomalous measurements. Timeouts while the
	// platform's handshakes are slow are what throttling does; they are
	// left to the throttling detector, while DNS answers, resets, block
	// pages and fingerprints still count.
	explainedBySlowness := slowed || s.throttle.ep != nil || s.throttle.s > 0
	var n, k, confirmed, dns int
	var ids []string
	blockedDomains := map[string]bool{}
	for _, key := range keys {
		bk := content[key]
		explained := 0
		if explainedBySlowness {
			explained = bk.httpFailure
		}
		n += bk.n - bk.failure - explained
		k += bk.blocked - explained
		confirmed += bk.confirmed
		dns += bk.dns
		if bk.blocked-explained > 0 {
			blockedDomains[key.domain] = true
			ids = append(ids, bk.blockedIDs...)
		}
	}
	if n > 0 {
		p0 := s.baselineShare()
		p1 := math.Min(p0+d.p.BlockShift, 0.99)
		e := float64(k)*math.Log(p1/p0) + float64(n-k)*math.Log((1-p1)/(1-p0))
		st := stat{b: b, n: n, k: k, confirmed: confirmed, dns: dns, ids: ids, domains: sortedKeys(blockedDomains), baseline: p0}
		if t := s.block.step(e, st, d.p.BlockH, d.acceptBlocking, d.p); t != "" {
			out = append(out, d.version(t, pk, "", &s.block, b)...)
		} else if s.block.ep != nil {
			out = append(out, d.maybeRevise(pk, "", &s.block, b)...)
		}
		if s.block.quiet() {
			s.learn(b, n, k, d.p)
		}
	}
	return out
}

func (d *Detector) acceptThrottling(run []stat) bool {
	var controls []float64
	for _, st := range run {
		if st.controls > 0 {
			controls = append(controls, st.control)
		}
	}
	return len(controls) == 0 || median(controls) <= d.p.ControlMax
}

func (d *Detector) acceptBlocking(run []stat) bool {
	n, k := 0, 0
	for _, st := range run {
		n += st.n
		k += st.k
	}
	return n > 0 && float64(k)/float64(n) >= d.p.MinBlockedShare
}

func sortedKeys(m map[string]bool) []string {
	return slices.Sorted(func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	})
}

func median(xs []float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Clone(xs)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func sourceID(detector string, k netKey, target string, start time.Time) string {
	return fmt.Sprintf("%s/v%s/%s/AS%d/%s/%s", detector, Version, k.cc, k.asn, target, start.Format("2006-01-02T15:04Z"))
}

func platformName(slug string) string {
	if n, ok := platform.Name[slug]; ok {
		return n
	}
	return slug
}

func round(x float64, places int) float64 {
	p := math.Pow(10, float64(places))
	return math.Round(x*p) / p
}

func sortedUnique[T cmp.Ordered](xs []T) []T {
	s := slices.Clone(xs)
	slices.Sort(s)
	return slices.Compact(s)
}
