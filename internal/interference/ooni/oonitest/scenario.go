package oonitest

import "time"

// Window is a span of one network's measurements of some domains: where
// an episode was laid, or a clean period that must yield nothing.
type Window struct {
	ASN        int64
	Domains    []string
	Start, End time.Time
}

// Scenario is a generated data set with the episodes laid into it and the
// clean periods beside them that have the same shape: same networks,
// domains, hours of the day and length, and nothing laid on them.
type Scenario struct {
	Spec  Spec
	Clean []Window
}

// ScenarioDomains are X's two domains, one each of Meta, Google and
// Wikimedia, and two sites of no platform that serve as controls.
var ScenarioDomains = []string{"twitter.com", "abs.twimg.com", "www.facebook.com", "www.youtube.com",
	"www.wikipedia.org", "example.org", "www.bbc.com"}

// Turkey2023 is shaped on February 2023 in Turkey: after the earthquake
// of the 6th, X (Twitter) was throttled on the main networks for about
// 14 hours from midday on the 8th, handshakes going from ~100 ms to 2–3 s
// with about a fifth of connections timing out, while Facebook stayed
// normal; and DNS blocking, answered with a poison address that OONI's
// fingerprints know, as Turkish networks block sites. Measurements come
// every five minutes (two per network and domain), from the 5th to noon
// on the 10th, with spurious anomalies, failures and slow probes.
//
// The clean periods are each episode's network, domains and hours two
// days earlier, and a network-wide slowdown (all domains four times
// slower for three hours), which is congestion, not throttling.
func Turkey2023(seed uint64) Scenario {
	day := func(d, h, m int) time.Time { return time.Date(2023, 2, d, h, m, 0, 0, time.UTC) }
	x := []string{"twitter.com", "abs.twimg.com"}
	episodes := []Episode{
		{Kind: "throttling", ASN: 9121, Domains: x, Start: day(8, 10, 42), End: day(9, 1, 20), Factor: 30, TimeoutShare: 0.2},
		{Kind: "throttling", ASN: 16135, Domains: x, Start: day(8, 11, 27), End: day(9, 0, 53), Factor: 25, TimeoutShare: 0.2},
		{Kind: "throttling", ASN: 15897, Domains: x, Start: day(8, 12, 13), End: day(9, 2, 6), Factor: 20, TimeoutShare: 0.2},
		{Kind: "dns", ASN: 16135, Domains: []string{"www.wikipedia.org"}, Start: day(9, 8, 36), End: day(9, 20, 48), BlockIP: "195.175.254.2"},
		{Kind: "dns", ASN: 9121, Domains: []string{"www.youtube.com"}, Start: day(7, 14, 8), End: day(7, 22, 31), BlockIP: "195.175.254.2"},
	}
	var clean []Window
	for _, e := range episodes {
		clean = append(clean, Window{ASN: e.ASN, Domains: e.Domains, Start: e.Start.Add(-48 * time.Hour), End: e.End.Add(-48 * time.Hour)})
	}
	slow := Episode{Kind: "throttling", ASN: 15897, Domains: ScenarioDomains, Start: day(9, 14, 0), End: day(9, 17, 0), Factor: 4}
	clean = append(clean, Window{ASN: slow.ASN, Domains: slow.Domains, Start: slow.Start, End: slow.End})
	return Scenario{
		Spec: Spec{Start: day(5, 0, 0), End: day(10, 12, 0), Networks: DefaultNetworks[:3], Domains: ScenarioDomains,
			Step: 5 * time.Minute, PerStep: 2, Seed: seed, BodyBytes: 256, CertBytes: 64, SlowShare: 0.01,
			Episodes: append(episodes, slow)},
		Clean: clean,
	}
}

// Interference returns the episodes that are interference, leaving out
// network-wide slowdowns (an episode over every domain of the spec).
func (s Scenario) Interference() []Episode {
	var out []Episode
	for _, e := range s.Spec.Episodes {
		if len(e.Domains) < len(s.Spec.Domains) {
			out = append(out, e)
		}
	}
	return out
}
