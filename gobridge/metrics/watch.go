package metrics

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// effectsPending reads the effect outbox's backlog through the function
// SetEffectsPending installs (0 until one is).
var (
	effectsMu   sync.Mutex
	effectsFunc func() float64
)

var effectsPending = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
	Name: "nezuko_effects_pending",
	Help: "Bot API effects decided but not yet carried out.",
}, func() float64 {
	effectsMu.Lock()
	f := effectsFunc
	effectsMu.Unlock()
	if f == nil {
		return 0
	}
	return f()
})

// register adds collectors, replacing ones of the same description (a
// second serve in one process, as in tests, watches its own pool).
func register(cs ...prometheus.Collector) {
	for _, c := range cs {
		if err := Registry.Register(c); err != nil {
			var are prometheus.AlreadyRegisteredError
			if !errors.As(err, &are) {
				panic(err)
			}
			Registry.Unregister(are.ExistingCollector)
			Registry.MustRegister(c)
		}
	}
}

// SetEffectsPending installs what nezuko_effects_pending reads.
func SetEffectsPending(f func() float64) {
	effectsMu.Lock()
	effectsFunc = f
	effectsMu.Unlock()
}

// WatchPool exports a pgx pool's state and counters under pool="name"
// (nezuko_pool_*), read at scrape time.
func WatchPool(name string, p *pgxpool.Pool) {
	l := prometheus.Labels{"pool": name}
	g := func(n, help string, f func(*pgxpool.Stat) float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: n, Help: help, ConstLabels: l},
			func() float64 { return f(p.Stat()) })
	}
	c := func(n, help string, f func(*pgxpool.Stat) float64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: n, Help: help, ConstLabels: l},
			func() float64 { return f(p.Stat()) })
	}
	register(
		g("nezuko_pool_connections", "Connections open in the pool (idle, acquired or being opened).",
			func(s *pgxpool.Stat) float64 { return float64(s.TotalConns()) }),
		g("nezuko_pool_connections_acquired", "Connections in use.",
			func(s *pgxpool.Stat) float64 { return float64(s.AcquiredConns()) }),
		g("nezuko_pool_connections_idle", "Idle connections.",
			func(s *pgxpool.Stat) float64 { return float64(s.IdleConns()) }),
		g("nezuko_pool_connections_max", "The pool's size limit.",
			func(s *pgxpool.Stat) float64 { return float64(s.MaxConns()) }),
		c("nezuko_pool_acquires_total", "Connections acquired from the pool.",
			func(s *pgxpool.Stat) float64 { return float64(s.AcquireCount()) }),
		c("nezuko_pool_empty_acquires_total", "Acquires that found no idle connection and waited.",
			func(s *pgxpool.Stat) float64 { return float64(s.EmptyAcquireCount()) }),
		c("nezuko_pool_empty_acquire_wait_seconds_total", "Time spent waiting in acquires that found no idle connection.",
			func(s *pgxpool.Stat) float64 { return s.EmptyAcquireWaitTime().Seconds() }),
		c("nezuko_pool_new_connections_total", "Connections opened since start.",
			func(s *pgxpool.Stat) float64 { return float64(s.NewConnsCount()) }),
	)
}

// SSEStats is what the realtime relay counts.
type SSEStats struct {
	Clients int64 // connected now
	Relayed uint64
	Sent    uint64 // events written to clients (one per event per client)
	Dropped int64  // clients disconnected for falling behind
}

// WatchSSE exports the relay's counters (nezuko_sse_*), read at scrape time.
func WatchSSE(read func() SSEStats) {
	register(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "nezuko_sse_clients", Help: "Connected SSE clients."},
			func() float64 { return float64(read().Clients) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nezuko_sse_events_relayed_total", Help: "Events read from the database into the relay."},
			func() float64 { return float64(read().Relayed) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nezuko_sse_events_sent_total", Help: "Events written to SSE clients (one per event per client that subscribed to its channel)."},
			func() float64 { return float64(read().Sent) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nezuko_sse_clients_dropped_total", Help: "SSE clients disconnected because they fell too far behind."},
			func() float64 { return float64(read().Dropped) }),
	)
}

// WatchLogSink exports the database log sink's drops.
func WatchLogSink(dropped, written func() uint64) {
	register(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nezuko_log_records_dropped_total",
			Help: "Log records the admin_logs sink dropped (buffer full or a failed write)."},
			func() float64 { return float64(dropped()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "nezuko_log_records_written_total",
			Help: "Log records the admin_logs sink wrote."},
			func() float64 { return float64(written()) }),
	)
}

// queueCollector reads the command queue's state from the database at
// scrape time (bot.queue_metrics): depth by state, the age of the oldest
// due command, and the pickup latency of every claim made since the last
// scrape (started_at - run_after: how long a due command waited).
type queueCollector struct {
	pool  *pgxpool.Pool
	mu    sync.Mutex
	since time.Time
	hist  prometheus.Histogram
}

var (
	queueDepthDesc  = prometheus.NewDesc("nezuko_queue_depth", "Admin commands by state: pending (due), scheduled (pending, not yet due), running.", []string{"state"}, nil)
	queueOldestDesc = prometheus.NewDesc("nezuko_queue_oldest_due_seconds", "How long the oldest due, unclaimed command has waited (0 when none).", nil, nil)
	queueUpDesc     = prometheus.NewDesc("nezuko_queue_scrape_ok", "1 when the queue's state could be read from the database at this scrape.", nil, nil)
)

// WatchQueue exports the queue's depth and pickup latency (nezuko_queue_*)
// through pool.
func WatchQueue(pool *pgxpool.Pool) {
	register(&queueCollector{pool: pool, since: time.Now(),
		hist: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "nezuko_queue_pickup_seconds",
			Help:    "How long a due command waited before a worker claimed it (any process; counted at the scrape after the claim).",
			Buckets: latencyBuckets,
		})})
}

func (q *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- queueOldestDesc
	ch <- queueUpDesc
	q.hist.Describe(ch)
}

func (q *queueCollector) Collect(ch chan<- prometheus.Metric) {
	q.mu.Lock()
	defer q.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var due, scheduled, running int64
	var oldest float64
	var pickups []float64
	var upto time.Time
	err := q.pool.QueryRow(ctx, "select pending_due, pending_scheduled, running, oldest_due_seconds, pickups, upto from bot.queue_metrics($1)", q.since).
		Scan(&due, &scheduled, &running, &oldest, &pickups, &upto)
	ok := 1.0
	if err != nil {
		ok = 0
	} else {
		q.since = upto
		for _, p := range pickups {
			q.hist.Observe(p)
		}
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(due), "pending")
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(scheduled), "scheduled")
		ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(running), "running")
		ch <- prometheus.MustNewConstMetric(queueOldestDesc, prometheus.GaugeValue, oldest)
	}
	ch <- prometheus.MustNewConstMetric(queueUpDesc, prometheus.GaugeValue, ok)
	q.hist.Collect(ch)
}
