package realtime

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/semaphore"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// Options tune the relay. Zero values take the defaults.
type Options struct {
	// KeepAlive is the interval of the ": keep-alive" comment sent to every
	// client (default 15 s).
	KeepAlive time.Duration
	// ClientBuffer is how many events a client may fall behind (events the
	// kernel has not accepted for it yet): one that stays over it for more
	// than a second, or falls out of the shared ring (at least twice this
	// size), is disconnected (default 16384). The events themselves sit
	// once in the shared ring, not per client.
	ClientBuffer int
	// MaxReplay is the most events a Last-Event-ID resume replays; beyond
	// it the client gets one reset event (default 10000).
	MaxReplay int
	// Writers is the number of writer goroutines (default 2 × GOMAXPROCS).
	Writers int
	// PruneEvery is how often the outbox is pruned (default 5 min).
	PruneEvery time.Duration
	// StreamsPerToken caps the streams one API token (with the tickets it
	// minted) may hold open at once (default 16): 429 beyond.
	StreamsPerToken int
	// ReplayMemory is the budget, in bytes, of all replays being rendered
	// at once (default 32 MiB). A replay reads the tables in pages of at
	// most replayPageBytes, each held against the budget until the client
	// has taken it; replays wait for budget rather than grow the heap.
	ReplayMemory int64
	// RevokeCheck is how often the tokens behind open streams are checked;
	// streams of a revoked token are closed (default 2 s).
	RevokeCheck time.Duration
}

func (o *Options) defaults() {
	if o.KeepAlive <= 0 {
		o.KeepAlive = 15 * time.Second
	}
	if o.ClientBuffer <= 0 {
		o.ClientBuffer = 16384
	}
	if o.MaxReplay <= 0 {
		o.MaxReplay = 10000
	}
	if o.PruneEvery <= 0 {
		o.PruneEvery = 5 * time.Minute
	}
	if o.StreamsPerToken <= 0 {
		o.StreamsPerToken = 16
	}
	if o.ReplayMemory <= 0 {
		o.ReplayMemory = 32 << 20
	}
	o.ReplayMemory = max(o.ReplayMemory, replayPageBytes+64<<10)
	if o.RevokeCheck <= 0 {
		o.RevokeCheck = 2 * time.Second
	}
}

// Service is the realtime relay of one process: the poller, the ring, the
// writers and the HTTP handlers.
type Service struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	opts Options

	ring *ring
	hub  *hub
	// replayBudget holds ReplayMemory bytes, taken page by page by replays.
	replayBudget *semaphore.Weighted

	mu      sync.Mutex // guards headKey together with ring appends
	headKey Key

	// PostgreSQL restart detection (relay goroutine only): pgStart is the
	// server's pg_postmaster_start_time at the last poll. After a restart,
	// rescan holds the keys delivered before it, down to the rewound
	// cursor, until the re-scan passes rescanUntil (see restarted).
	pgStart     time.Time
	rescan      map[Key]bool
	rescanUntil Key

	ready     chan struct{}
	readyOnce sync.Once
	wake      chan struct{}
}

// New returns a relay reading through pool, which also authenticates its
// requests (api.Authenticate).
func New(pool *pgxpool.Pool, log *slog.Logger, opts Options) *Service {
	opts.defaults()
	ringSize := 1
	for ringSize < max(2*opts.ClientBuffer, 16384) {
		ringSize <<= 1
	}
	s := &Service{
		pool:  pool,
		log:   log,
		opts:  opts,
		ring:  newRing(ringSize),
		ready: make(chan struct{}),
		wake:  make(chan struct{}, 1),

		replayBudget: semaphore.NewWeighted(opts.ReplayMemory),
	}
	s.hub = newHub(s.ring, log, opts)
	return s
}

// Wake makes the relay look for new events now. It never blocks.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// HandleNotification implements pgxlisten.Handler: a doorbell.
func (s *Service) HandleNotification(context.Context, *pgconn.Notification, *pgx.Conn) error {
	s.Wake()
	return nil
}

// HandleBacklog implements pgxlisten.BacklogHandler: after every
// (re)connect of the LISTEN connection, catch up from the tables.
func (s *Service) HandleBacklog(context.Context, string, *pgx.Conn) error {
	s.Wake()
	return nil
}

// Clients is the number of connected SSE clients.
func (s *Service) Clients() int { return int(s.hub.count.Load()) }

// Stats are the relay's counters for /metrics: clients connected now,
// events read into the ring, events written to clients (one per event per
// subscribed client) and clients dropped for falling behind.
func (s *Service) Stats() (clients int64, relayed, sent uint64, dropped int64) {
	return s.hub.count.Load(), s.ring.head.Load(), s.hub.sent.Load(), s.hub.dropped.Load()
}

// Run polls for events and writes them to clients until ctx ends.
func (s *Service) Run(ctx context.Context) error {
	done := make(chan struct{})
	go func() { s.hub.run(ctx); close(done) }()
	defer func() { <-done }()

	retry := backoff.New(100*time.Millisecond, 2*time.Second)
	for {
		var start string
		err := s.pool.QueryRow(ctx, "select bot.realtime_start()::text").Scan(&start)
		if err == nil {
			t, perr := strconv.ParseUint(start, 10, 64)
			if perr != nil {
				return fmt.Errorf("realtime: start cursor %q: %w", start, perr)
			}
			s.mu.Lock()
			s.headKey = Key{Txid: t}
			s.mu.Unlock()
			s.readyOnce.Do(func() { close(s.ready) })
			break
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.log.Warn("realtime: cannot read start cursor", "err", err)
		if !retry.Wait(ctx) {
			return ctx.Err()
		}
	}

	const idle = 2 * time.Second
	timer := time.NewTimer(0)
	defer timer.Stop()
	prune := time.NewTicker(s.opts.PruneEvery)
	defer prune.Stop()
	revoke := time.NewTicker(s.opts.RevokeCheck)
	defer revoke.Stop()
	blockedDelay := backoff.New(2*time.Millisecond, 100*time.Millisecond)
	errDelay := backoff.New(100*time.Millisecond, 2*time.Second)
	failing := false
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-timer.C:
		case <-prune.C:
			s.prune(ctx)
			continue
		case <-revoke.C:
			s.closeRevoked(ctx)
			continue
		}
		more, blocked, err := s.poll(ctx)
		var next time.Duration
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil
			}
			if !failing {
				s.log.Warn("realtime: reading events failed; retrying", "err", err)
				failing = true
			}
			next = errDelay.Next()
		case more:
			next = 0
		case blocked:
			// A committed event waits for an older transaction still in
			// flight; that one may never ring (it need not write events),
			// so look again soon, backing off for long transactions.
			next = blockedDelay.Next()
		default:
			next = idle
		}
		if err == nil {
			if failing {
				s.log.Info("realtime: reading events again")
			}
			failing = false
			errDelay.Reset()
			if !blocked {
				blockedDelay.Reset()
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(next)
	}
}
