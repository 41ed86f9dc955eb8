package main

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/onecode/onecode/actors"
	"github.com/onecode/onecode/gateway/aggregator"
	"github.com/onecode/onecode/persistence/journal"
)

// opsSources are what the operations metrics are read from at each scrape; a nil
// source exports nothing (breakers: no aggregator configured).
type opsSources struct {
	business *actors.BusinessStats
	writer   *journal.Writer
	member   *actors.Member
	breakers *aggregator.Client
	// mailboxes are the tracked mailbox depths (nil: not tracked, exported as 0).
	mailboxes *actors.Mailboxes
}

// registerOpsMetrics exports the business counters (sales, declines by reason,
// recharges credited, failed terminal handshakes), the journal writer's queue,
// failures and histograms, the cluster size, the aggregator breakers' states and
// the deepest mailbox per actor kind:
// the figures ops/prometheus/onecode-rules.yml alerts on.
func registerOpsMetrics(reg *prometheus.Registry, src opsSources) {
	reg.MustRegister(&opsCollector{src: src})
}

var (
	descSales        = prometheus.NewDesc("onecode_sales_total", "Approved canteen purchases (first answers, not replays).", nil, nil)
	descSalesFen     = prometheus.NewDesc("onecode_sales_fen_total", "Amount of the approved canteen purchases, in fen.", nil, nil)
	descArrearsSales = prometheus.NewDesc("onecode_sales_arrears_total", "Purchases approved on arrears (operator override).", nil, nil)
	descDeclines     = prometheus.NewDesc("onecode_declines_total", "Declined canteen pays by reason.", []string{"reason"}, nil)
	descAuthFailures = prometheus.NewDesc("onecode_terminal_auth_failures_total", "Failed terminal handshakes by kind (unknown_terminal, disabled, bad_mac, protocol).", []string{"kind"}, nil)
	descRecharges    = prometheus.NewDesc("onecode_recharges_credited_total", "Recharge orders credited to accounts.", nil, nil)
	descRechargedFen = prometheus.NewDesc("onecode_recharged_fen_total", "Amount of the recharge orders credited, in fen.", nil, nil)
	descQueueDepth   = prometheus.NewDesc("onecode_journal_queue_depth", "Appends waiting for a journal flusher.", nil, nil)
	descQueueCap     = prometheus.NewDesc("onecode_journal_queue_capacity", "Capacity of the journal writer's queue.", nil, nil)
	descFailed       = prometheus.NewDesc("onecode_journal_failed_batches_total", "Journal transactions the store failed as a whole (outcome unknown to their callers).", nil, nil)
	descRejected     = prometheus.NewDesc("onecode_journal_rejected_total", "Appends refused because the journal queue stayed full.", nil, nil)
	descLastError    = prometheus.NewDesc("onecode_journal_last_error_timestamp_seconds", "Time of the last failed journal transaction (0: none since start).", nil, nil)
	descBatchSize    = prometheus.NewDesc("onecode_journal_batch_size", "Appends per journal transaction.", nil, nil)
	descFlush        = prometheus.NewDesc("onecode_journal_flush_duration_seconds", "Time to write and commit one journal transaction.", nil, nil)
	descMembers      = prometheus.NewDesc("onecode_cluster_members", "Cluster members this member sees.", nil, nil)
	descBreaker      = prometheus.NewDesc("onecode_aggregator_breaker_state", "Aggregator circuit breaker per operation: 0 closed, 1 half-open, 2 open.", []string{"operation"}, nil)
	descMailboxMax   = prometheus.NewDesc("onecode_mailbox_depth_max",
		"Deepest mailbox of this member's actors of a kind (account grains, terminal sessions): messages posted and not yet handled; 0 when untracked.",
		[]string{"kind"}, nil)
)

type opsCollector struct{ src opsSources }

func (c *opsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descSales, descSalesFen, descArrearsSales, descDeclines, descAuthFailures,
		descRecharges, descRechargedFen, descQueueDepth, descQueueCap, descFailed, descRejected, descLastError,
		descBatchSize, descFlush, descMembers, descBreaker, descMailboxMax} {
		ch <- d
	}
}

func (c *opsCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	if b := c.src.business; b != nil {
		counter(descSales, b.Sales.Load())
		counter(descSalesFen, b.SalesFen.Load())
		counter(descArrearsSales, b.ArrearsSales.Load())
		counter(descRecharges, b.Recharges.Load())
		counter(descRechargedFen, b.RechargedFen.Load())
		for r, n := range b.Declines() {
			counter(descDeclines, n, r)
		}
		for k, n := range b.AuthFailures() {
			counter(descAuthFailures, n, k)
		}
	}
	if w := c.src.writer; w != nil {
		st := w.Stats()
		gauge(descQueueDepth, float64(st.QueueDepth))
		gauge(descQueueCap, float64(st.QueueCapacity))
		counter(descFailed, st.FailedBatches)
		counter(descRejected, st.Rejected)
		last := 0.0
		if !st.LastErrorAt.IsZero() {
			last = float64(st.LastErrorAt.UnixNano()) / 1e9
		}
		gauge(descLastError, last)
		ch <- constHistogram(descBatchSize, journal.BatchSizeBuckets, st.BatchSizes, float64(st.Appends))
		ch <- constHistogram(descFlush, journal.FlushBuckets, st.FlushLatency, st.FlushTime.Seconds())
	}
	if m := c.src.member; m != nil {
		gauge(descMembers, float64(m.Size()))
	}
	for kind, d := range c.src.mailboxes.MaxDepth(actors.MailboxKindAccount, actors.MailboxKindTerminal) {
		gauge(descMailboxMax, float64(d), kind)
	}
	if a := c.src.breakers; a != nil {
		for op, s := range a.BreakerStates() {
			gauge(descBreaker, breakerValue(s), string(op))
		}
	}
}

// constHistogram turns per-bucket counts (one more than bounds: the rest) into a
// Prometheus histogram with cumulative buckets.
func constHistogram(d *prometheus.Desc, bounds []float64, counts []int64, sum float64) prometheus.Metric {
	buckets := make(map[float64]uint64, len(bounds))
	var cum uint64
	for i, b := range bounds {
		if i < len(counts) {
			cum += uint64(counts[i])
		}
		buckets[b] = cum
	}
	for _, n := range counts[min(len(bounds), len(counts)):] {
		cum += uint64(n)
	}
	return prometheus.MustNewConstHistogram(d, cum, sum, buckets)
}

func breakerValue(s gobreaker.State) float64 {
	switch s {
	case gobreaker.StateHalfOpen:
		return 1
	case gobreaker.StateOpen:
		return 2
	default:
		return 0
	}
}
