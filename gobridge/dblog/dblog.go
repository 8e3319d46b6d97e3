// Package dblog is a slog.Handler that writes INFO and above into
// nezuko.admin_logs, asynchronously and in batches (COPY), while passing
// every record on to another handler (stderr) as usual.
//
// Logging never waits for PostgreSQL: records go into a bounded in-memory
// buffer that one goroutine drains. When the database is slow or away and
// the buffer is full, the oldest records are dropped and counted; the count
// is written as a WARNING row once the database answers again.
package dblog

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Options tunes a Sink. Zero values take the defaults.
type Options struct {
	// Next receives every record too (e.g. a text handler on stderr); nil: none.
	Next slog.Handler
	// Level is the lowest level written to admin_logs (at least INFO).
	Level slog.Level
	// Logger is admin_logs.logger unless a record carries a "logger" attribute (default "nezuko").
	Logger string
	// Instance is admin_logs.instance (default host:pid).
	Instance string
	// Buffer bounds the records waiting to be written (default 10000).
	Buffer int
	// Batch bounds one COPY (default 1000).
	Batch int
	// FlushEvery is the longest a record waits before a write is attempted (default 250 ms).
	FlushEvery time.Duration
	// WriteTimeout bounds one write (default 5 s); a failed batch is dropped and counted.
	WriteTimeout time.Duration
	// Errors receives the sink's own problems (default: a line on stderr).
	Errors func(err error)
}

// Sink owns the buffer and the writer goroutine. Handler returns the
// slog.Handler that feeds it.
type Sink struct {
	pool *pgxpool.Pool
	opts Options

	mu      sync.Mutex
	buf     []row // ring
	head, n int
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
	dropped atomic.Uint64
	written atomic.Uint64
	pending uint64 // drops not yet reported in admin_logs (guarded by mu)
}

type row struct {
	level, logger, message string
	file, function         string
	line                   int
	attrs                  map[string]any
	bot                    *int64
	time                   time.Time
}

// New starts a sink writing to pool. Close it to flush what is buffered.
func New(pool *pgxpool.Pool, opts Options) *Sink {
	if opts.Level < slog.LevelInfo {
		opts.Level = slog.LevelInfo
	}
	if opts.Logger == "" {
		opts.Logger = "nezuko"
	}
	if opts.Instance == "" {
		host, _ := os.Hostname()
		opts.Instance = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 10000
	}
	if opts.Batch <= 0 {
		opts.Batch = 1000
	}
	if opts.FlushEvery <= 0 {
		opts.FlushEvery = 250 * time.Millisecond
	}
	if opts.WriteTimeout <= 0 {
		opts.WriteTimeout = 5 * time.Second
	}
	if opts.Errors == nil {
		opts.Errors = func(err error) { fmt.Fprintf(os.Stderr, "dblog: %v\n", err) }
	}
	s := &Sink{pool: pool, opts: opts, buf: make([]row, opts.Buffer),
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

// Dropped is how many records were dropped because the buffer was full or a write failed.
func (s *Sink) Dropped() uint64 { return s.dropped.Load() }

// Written is how many records reached admin_logs.
func (s *Sink) Written() uint64 { return s.written.Load() }

// Close writes what is buffered (within ctx) and stops the writer.
func (s *Sink) Close(ctx context.Context) {
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	select {
	case <-s.done:
	case <-ctx.Done():
	}
}

// Handler is the slog.Handler feeding this sink (and Options.Next).
func (s *Sink) Handler() slog.Handler { return &handler{sink: s, next: s.opts.Next} }

func (s *Sink) push(r row) {
	s.mu.Lock()
	if s.n == len(s.buf) { // full: drop the oldest
		s.head = (s.head + 1) % len(s.buf)
		s.n--
		s.dropped.Add(1)
		s.pending++
	}
	s.buf[(s.head+s.n)%len(s.buf)] = r
	s.n++
	full := s.n >= s.opts.Batch
	s.mu.Unlock()
	if full {
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
}

// take removes up to max records from the buffer.
func (s *Sink) take(max int) ([]row, uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := min(max, s.n)
	out := make([]row, k)
	for i := range k {
		out[i] = s.buf[(s.head+i)%len(s.buf)]
		s.buf[(s.head+i)%len(s.buf)] = row{}
	}
	s.head = (s.head + k) % len(s.buf)
	s.n -= k
	d := s.pending
	s.pending = 0
	return out, d
}

func (s *Sink) run() {
	defer close(s.done)
	t := time.NewTicker(s.opts.FlushEvery)
	defer t.Stop()
	for {
		stopping := false
		select {
		case <-s.stop:
			stopping = true
		case <-s.kick:
		case <-t.C:
		}
		for {
			rows, drops := s.take(s.opts.Batch)
			if drops > 0 {
				rows = append(rows, row{level: "WARNING", logger: "dblog", time: time.Now(),
					message: fmt.Sprintf("dropped %d log records: the database was too slow to take them", drops),
					attrs:   map[string]any{"dropped": drops}})
			}
			if len(rows) == 0 {
				break
			}
			if err := s.write(rows); err != nil {
				lost := uint64(len(rows))
				if drops > 0 {
					lost-- // the notice itself
				}
				s.dropped.Add(lost)
				s.mu.Lock()
				s.pending += drops + lost // reported with the next write that succeeds
				s.mu.Unlock()
				s.opts.Errors(fmt.Errorf("write %d records to admin_logs: %w", len(rows), err))
				break // try again on the next tick
			}
			if len(rows) < s.opts.Batch {
				break
			}
		}
		if stopping {
			return
		}
	}
}

func (s *Sink) write(rows []row) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.opts.WriteTimeout)
	defer cancel()
	src := make([][]any, len(rows))
	for i, r := range rows {
		attrs, err := json.Marshal(r.attrs)
		if err != nil || r.attrs == nil {
			attrs = []byte("{}")
		}
		var file, fn, line any
		if r.file != "" {
			file, fn, line = r.file, r.function, int32(r.line)
		}
		logger := r.logger
		if logger == "" {
			logger = s.opts.Logger
		}
		src[i] = []any{r.level, logger, r.message, file, fn, line, string(attrs), r.bot, s.opts.Instance, r.time}
	}
	n, err := s.pool.CopyFrom(ctx, pgx.Identifier{"nezuko", "admin_logs"},
		[]string{"level", "logger", "message", "source_file", "source_function", "source_line",
			"attributes", "bot_instance_id", "instance", "timestamp"},
		pgx.CopyFromRows(src))
	s.written.Add(uint64(n))
	return err
}

// levelName maps slog levels to admin_logs.level.
func levelName(l slog.Level) string {
	switch {
	case l >= slog.LevelError+4:
		return "CRITICAL"
	case l >= slog.LevelError:
		return "ERROR"
	case l >= slog.LevelWarn:
		return "WARNING"
	case l >= slog.LevelInfo:
		return "INFO"
	default:
		return "DEBUG"
	}
}

type handler struct {
	sink   *Sink
	next   slog.Handler
	attrs  []slog.Attr // already under groups
	groups []string
}

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.sink.opts.Level || (h.next != nil && h.next.Enabled(ctx, l))
}

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	var err error
	if h.next != nil && h.next.Enabled(ctx, r.Level) {
		err = h.next.Handle(ctx, r)
	}
	if r.Level < h.sink.opts.Level {
		return err
	}
	row := row{level: levelName(r.Level), message: r.Message, time: r.Time, attrs: map[string]any{}}
	if row.time.IsZero() {
		row.time = time.Now()
	}
	if r.PC != 0 {
		f, _ := runtime.CallersFrames([]uintptr{r.PC}).Next()
		row.file, row.function, row.line = f.File, f.Function, f.Line
	}
	for _, a := range h.attrs {
		addAttr(row.attrs, a)
	}
	target := row.attrs
	for _, g := range h.groups {
		target = sub(target, g)
	}
	r.Attrs(func(a slog.Attr) bool {
		addAttr(target, a)
		return true
	})
	// Well-known attributes fill their own columns.
	if v, ok := row.attrs["logger"].(string); ok {
		row.logger = v
		delete(row.attrs, "logger")
	}
	switch v := row.attrs["bot_instance_id"].(type) {
	case int64:
		row.bot = &v
	case uint64:
		b := int64(v)
		row.bot = &b
	}
	h.sink.push(row)
	return err
}

// addAttr puts a into m, resolved; groups become nested objects and errors their text.
func addAttr(m map[string]any, a slog.Attr) {
	v := a.Value.Resolve()
	if a.Key == "" && v.Kind() != slog.KindGroup {
		return
	}
	switch v.Kind() {
	case slog.KindGroup:
		dst := m
		if a.Key != "" {
			dst = sub(m, a.Key)
		}
		for _, g := range v.Group() {
			addAttr(dst, g)
		}
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			m[a.Key] = x.Error()
		case json.Marshaler:
			m[a.Key] = x
		case fmt.Stringer:
			m[a.Key] = x.String()
		default:
			if _, err := json.Marshal(x); err != nil {
				m[a.Key] = fmt.Sprint(x)
			} else {
				m[a.Key] = x
			}
		}
	case slog.KindDuration:
		m[a.Key] = v.Duration().String()
	case slog.KindTime:
		m[a.Key] = v.Time()
	default:
		m[a.Key] = v.Any()
	}
}

// sub returns the object under key in m, creating it.
func sub(m map[string]any, key string) map[string]any {
	if d, ok := m[key].(map[string]any); ok {
		return d
	}
	d := map[string]any{}
	m[key] = d
	return d
}

func (h *handler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	if h.next != nil {
		c.next = h.next.WithAttrs(as)
	}
	if len(h.groups) == 0 {
		c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
		return &c
	}
	// Nest the new attributes under the open groups.
	anys := make([]any, len(as))
	for i, a := range as {
		anys[i] = a
	}
	g := slog.Group(h.groups[len(h.groups)-1], anys...)
	for i := len(h.groups) - 2; i >= 0; i-- {
		g = slog.Group(h.groups[i], g)
	}
	c.attrs = append(append([]slog.Attr{}, h.attrs...), g)
	return &c
}

func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	if h.next != nil {
		c.next = h.next.WithGroup(name)
	}
	c.groups = append(append([]string{}, h.groups...), name)
	return &c
}
