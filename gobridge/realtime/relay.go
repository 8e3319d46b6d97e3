package realtime

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/semaphore"
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

// pollBatch is how many events one relay query reads.
const pollBatch = 2000

// event is one event in the ring, already rendered as an SSE frame.
type event struct {
	seq   uint64
	key   Key
	mask  uint8
	frame []byte
	reset bool // a reset the relay made up, not a row
}

// ring holds the newest events; slots are written by the relay only and
// read lock-free by the writers (a slot whose seq moved on was overwritten).
type ring struct {
	slots []atomic.Pointer[event]
	head  atomic.Uint64 // seq of the next event
}

func newRing(size int) *ring { return &ring{slots: make([]atomic.Pointer[event], size)} }

func (r *ring) at(seq uint64) *event {
	ev := r.slots[seq%uint64(len(r.slots))].Load()
	if ev == nil || ev.seq != seq {
		return nil
	}
	return ev
}

// Service is the realtime relay of one process: the poller, the ring, the
// writers and the HTTP handlers.
type Service struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	opts Options
	auth Authenticator

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

// New returns a relay reading through pool and authenticating requests
// with auth (nil: SQLAuthenticator(pool)).
func New(pool *pgxpool.Pool, log *slog.Logger, auth Authenticator, opts Options) *Service {
	opts.defaults()
	if auth == nil {
		auth = SQLAuthenticator(pool)
	}
	ringSize := 1
	for ringSize < max(2*opts.ClientBuffer, 16384) {
		ringSize <<= 1
	}
	s := &Service{
		pool:  pool,
		log:   log,
		opts:  opts,
		auth:  auth,
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

	backoff := 100 * time.Millisecond
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
		if !sleep(ctx, backoff) {
			return ctx.Err()
		}
		backoff = min(2*backoff, 2*time.Second)
	}

	const idle = 2 * time.Second
	timer := time.NewTimer(0)
	defer timer.Stop()
	prune := time.NewTicker(s.opts.PruneEvery)
	defer prune.Stop()
	revoke := time.NewTicker(s.opts.RevokeCheck)
	defer revoke.Stop()
	blockedDelay := 2 * time.Millisecond
	errDelay := 100 * time.Millisecond
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
			next = errDelay
			errDelay = min(2*errDelay, 2*time.Second)
		case more:
			next = 0
		case blocked:
			// A committed event waits for an older transaction still in
			// flight; that one may never ring (it need not write events),
			// so look again soon, backing off for long transactions.
			next = blockedDelay
			blockedDelay = min(2*blockedDelay, 100*time.Millisecond)
		default:
			next = idle
		}
		if err == nil {
			if failing {
				s.log.Info("realtime: reading events again")
			}
			failing = false
			errDelay = 100 * time.Millisecond
			if !blocked {
				blockedDelay = 2 * time.Millisecond
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

var allChannelNames = []string{"dashboard", "bot_status", "commands", "logs"}

// poll reads the events after the head cursor that are safe to deliver and
// appends them to the ring. In the same round trip it reads the server's
// start time: a restart (see restarted) rewinds the cursor first.
func (s *Service) poll(ctx context.Context) (more, blocked bool, err error) {
	s.mu.Lock()
	after := s.headKey
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b := &pgx.Batch{}
	b.Queue("select pg_postmaster_start_time()")
	b.Queue(`select txid::text, kind_no, id, kind, data::text, ready
		from bot.realtime_events($1::text::xid8, $2, $3, $4, $5)`,
		strconv.FormatUint(after.Txid, 10), after.Kind, after.ID, allChannelNames, pollBatch)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	var started time.Time
	if err := br.QueryRow().Scan(&started); err != nil {
		return false, false, fmt.Errorf("server start time: %w", err)
	}
	if !s.pgStart.IsZero() && !started.Equal(s.pgStart) {
		s.pgStart = started
		_ = br.Close()
		s.restarted()
		return true, false, nil // poll again from the rewound cursor
	}
	s.pgStart = started
	rows, err := br.Query()
	if err != nil {
		return false, false, fmt.Errorf("query events: %w", err)
	}
	var batch []*event
	var last Key
	n := 0
	for rows.Next() {
		var txid, kind, data string
		var kindNo int32
		var id int64
		var ready bool
		if err := rows.Scan(&txid, &kindNo, &id, &kind, &data, &ready); err != nil {
			rows.Close()
			return false, false, fmt.Errorf("scan event: %w", err)
		}
		n++
		if !ready {
			blocked = true
			continue
		}
		t, err := strconv.ParseUint(txid, 10, 64)
		if err != nil || kindNo < 1 || kindNo > 4 {
			rows.Close()
			return false, false, fmt.Errorf("bad event key %s-%d-%d", txid, kindNo, id)
		}
		last = Key{Txid: t, Kind: kindNo, ID: id}
		if s.rescan != nil && s.rescan[last] {
			delete(s.rescan, last) // delivered before the restart, and durable
			continue
		}
		batch = append(batch, &event{key: last, mask: Channels[kindNo-1].bit, frame: frame(last, kind, []byte(data))})
	}
	if err := rows.Err(); err != nil {
		return false, false, fmt.Errorf("read events: %w", err)
	}
	more = n == pollBatch && !blocked
	if s.rescan != nil && ((!more && !blocked) || s.rescanUntil.Less(last)) {
		// The re-scan has passed where the relay stood before the restart:
		// any key delivered then and not found again was lost by the crash.
		if len(s.rescan) > 0 {
			s.log.Warn("realtime: events delivered before the PostgreSQL restart were lost with it (asynchronous commits); "+
				"clients are told to refetch", "lost", len(s.rescan))
			k := s.rescanUntil
			if k.Less(last) {
				k = last
			}
			batch = append(batch, &event{key: k, mask: allChannels, reset: true,
				frame: resetFrame(k, "the database restarted and lost events already delivered; refetch")})
		}
		s.rescan = nil
	}
	if len(batch) > 0 || last != (Key{}) {
		s.mu.Lock()
		seq := s.ring.head.Load()
		for _, ev := range batch {
			ev.seq = seq
			s.ring.slots[seq%uint64(len(s.ring.slots))].Store(ev)
			seq++
		}
		s.ring.head.Store(seq)
		if last != (Key{}) {
			s.headKey = last
		}
		s.mu.Unlock()
		if len(batch) > 0 {
			s.hub.wakeAll()
		}
	}
	return more, blocked, nil
}

// restarted handles a PostgreSQL restart seen between two polls. After a
// crash, transaction ids whose commits never reached the disk (commits with
// synchronous_commit off, by anyone) are handed out again, so new events
// may carry txids at or below the cursor and would be skipped, and events
// already delivered from the lost transactions (phantoms) no longer exist.
// The relay rewinds its cursor to the oldest event still in its ring and
// re-scans the tables from there: events it delivered before are
// recognised by key and not sent twice, events it never delivered are
// sent, and if some delivered key is gone, clients get one reset event.
func (s *Service) restarted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	head := s.ring.head.Load()
	seen := map[Key]bool{}
	from := s.headKey
	for i := uint64(1); i <= uint64(len(s.ring.slots)) && i <= head; i++ {
		ev := s.ring.at(head - i)
		if ev == nil {
			break
		}
		if ev.reset {
			continue
		}
		seen[ev.key] = true
		if ev.key.Less(from) {
			from = ev.key
		}
	}
	if from != s.headKey || len(seen) > 0 {
		delete(seen, from) // the cursor is exclusive: from itself is not re-read
	}
	s.log.Warn("realtime: PostgreSQL restarted; re-scanning events from the tables", "from", from.String(), "head", s.headKey.String())
	s.rescan, s.rescanUntil = seen, s.headKey
	s.headKey = from
}

// position is where a new client joins the live stream: the next ring seq
// and the key of the last event before it.
func (s *Service) position() (uint64, Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ring.head.Load(), s.headKey
}

func (s *Service) prune(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	var n int64
	if err := s.pool.QueryRow(ctx, "select bot.realtime_prune()").Scan(&n); err != nil {
		if ctx.Err() == nil {
			s.log.Warn("realtime: prune failed", "err", err)
		}
		return
	}
	if n > 0 {
		s.log.Debug("realtime: pruned outbox", "rows", n)
	}
}

// closeRevoked closes the streams whose API token no longer authenticates
// (revoked by logout or an admin, expired, account deactivated).
func (s *Service) closeRevoked(ctx context.Context) {
	ids := s.hub.openTokens()
	if len(ids) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rows, err := s.pool.Query(ctx, "select auth.invalid_tokens($1)", ids)
	var bad []int64
	if err == nil {
		bad, err = pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("realtime: checking the tokens of open streams", "err", err)
		}
		return
	}
	if n := s.hub.revoke(bad); n > 0 {
		s.log.Info("realtime: closing the streams of revoked tokens", "streams", n, "tokens", len(bad))
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
