// Package metrics exposes a server's health to Prometheus at /metrics: the
// log's size, how old its checkpoint and the witnesses' cosignatures are,
// the records written, and how long API requests take. Everything is
// registered on a registry of its own, made at construction.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/candor-observatory/candor/internal/ledger"
)

// Metrics holds a server's collectors.
type Metrics struct {
	reg       *prometheus.Registry
	committed prometheus.Counter
	api       *prometheus.HistogramVec
}

// New registers the metrics of a server whose log is l (nil: none).
func New(l *ledger.Log) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.committed = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "candor_log_entries_committed_total",
		Help: "Record versions committed to the log by this server (API writes and batch imports).",
	})
	m.api = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "candor_api_request_duration_seconds",
		Help:    "Time to answer API requests, by route and status class.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"route", "status"})
	m.reg.MustRegister(m.committed, m.api, collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if l != nil {
		m.reg.MustRegister(&logCollector{l: l})
	}
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// Committed counts entries committed; it fits registry.OnCommit.
func (m *Metrics) Committed(leaves int) { m.committed.Add(float64(leaves)) }

// ObserveAPI records one API request's duration, by its route pattern.
func (m *Metrics) ObserveAPI(route string, status int, elapsed time.Duration) {
	m.api.WithLabelValues(route, strconv.Itoa(status/100)+"xx").Observe(elapsed.Seconds())
}

var (
	logSizeDesc = prometheus.NewDesc("candor_log_size",
		"Entries covered by the latest signed checkpoint.", nil, nil)
	logEntriesDesc = prometheus.NewDesc("candor_log_entries",
		"Entries written to the log, signed or not yet.", nil, nil)
	checkpointAgeDesc = prometheus.NewDesc("candor_checkpoint_age_seconds",
		"Seconds since this server last published a checkpoint.", nil, nil)
	cosignatureAgeDesc = prometheus.NewDesc("candor_witness_cosignature_age_seconds",
		"Seconds since each witness cosigned the latest checkpoint (absent: it did not).", []string{"witness"}, nil)
	witnessesDesc = prometheus.NewDesc("candor_witness_cosignatures",
		"Cosignatures of configured witnesses on the latest checkpoint.", nil, nil)
	quorumDesc = prometheus.NewDesc("candor_witness_quorum",
		"Cosignatures that make a checkpoint witnessed.", nil, nil)
)

// logCollector reads the log's state at each scrape.
type logCollector struct{ l *ledger.Log }

func (c *logCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{logSizeDesc, logEntriesDesc, checkpointAgeDesc, cosignatureAgeDesc, witnessesDesc, quorumDesc} {
		ch <- d
	}
}

func (c *logCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if n, err := c.l.Storage().EntryCount(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(logEntriesDesc, prometheus.GaugeValue, float64(n))
	}
	_, cp, err := c.l.Checkpoint(ctx)
	if errors.Is(err, ledger.ErrNoCheckpoint) || err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(logSizeDesc, prometheus.GaugeValue, float64(cp.Size))
	if at := c.l.SignedAt(); !at.IsZero() {
		ch <- prometheus.MustNewConstMetric(checkpointAgeDesc, prometheus.GaugeValue, time.Since(at).Seconds())
	}
	if len(c.l.Witnesses()) == 0 {
		return
	}
	ch <- prometheus.MustNewConstMetric(quorumDesc, prometheus.GaugeValue, float64(c.l.Quorum()))
	cos, err := c.l.Cosignatures(ctx)
	if err != nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(witnessesDesc, prometheus.GaugeValue, float64(len(cos)))
	for name, t := range cos {
		ch <- prometheus.MustNewConstMetric(cosignatureAgeDesc, prometheus.GaugeValue, time.Since(t).Seconds(), name)
	}
}
