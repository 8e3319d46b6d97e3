// Package config reads the bridge's settings from the environment. Every
// setting has one variable; the README lists them.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultTelegramAPIURL is Telegram's Bot API server.
const DefaultTelegramAPIURL = "https://api.telegram.org"

// Config is the process configuration.
type Config struct {
	DatabaseURL     string
	HTTPAddr        string
	FernetKeys      []string // first encrypts, all decrypt
	TelegramAPIURL  string
	LogLevel        slog.Level
	ShutdownTimeout time.Duration
	PublicURL       string // base URL for webhooks, optional
	// DebugAddr, when set, is a second listener for operators and
	// benchmarks: /debug/pprof/ and /debug/latency (the API handlers' own
	// latency histogram and the pool's counters). Off by default.
	DebugAddr string
	// Pools sizes the connection pools of `nezuko serve` (see Pools).
	Pools Pools
	// HTTP limits (see server.Limits): body read timeout, idle keep-alive
	// timeout, largest body and header block.
	HTTPReadTimeout time.Duration
	HTTPIdleTimeout time.Duration
	HTTPMaxBody     int64
	HTTPMaxHeader   int
}

// Pools are the connection pools of `nezuko serve`, one per kind of work,
// so that one cannot starve another: slow API reads (a page of a large log)
// never hold the connections enforcement and the command queue need.
type Pools struct {
	API    int32 // NEZUKO_DB_POOL_API: REST API requests, /readyz
	Work   int32 // NEZUKO_DB_POOL_WORK: bots (updates, plans), the command queue, heartbeats
	Events int32 // NEZUKO_DB_POOL_EVENTS: the realtime relay, SSE auth and replays, the admin_logs sink
}

// FromEnv reads the configuration. It fails on malformed values, not on
// missing ones: each command checks what it needs.
func FromEnv() (*Config, error) {
	c := &Config{
		DatabaseURL:     strings.TrimSpace(os.Getenv("DATABASE_URL")),
		HTTPAddr:        envOr("NEZUKO_HTTP_ADDR", "127.0.0.1:8080"),
		TelegramAPIURL:  strings.TrimRight(envOr("NEZUKO_TELEGRAM_API_URL", DefaultTelegramAPIURL), "/"),
		ShutdownTimeout: 10 * time.Second,
		PublicURL:       strings.TrimRight(os.Getenv("NEZUKO_PUBLIC_URL"), "/"),
		DebugAddr:       strings.TrimSpace(os.Getenv("NEZUKO_DEBUG_ADDR")),
	}
	for _, k := range strings.Split(os.Getenv("NEZUKO_FERNET_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			c.FernetKeys = append(c.FernetKeys, k)
		}
	}
	if err := c.LogLevel.UnmarshalText([]byte(envOr("NEZUKO_LOG_LEVEL", "info"))); err != nil {
		return nil, fmt.Errorf("NEZUKO_LOG_LEVEL: want debug, info, warn or error")
	}
	c.Pools = Pools{API: 12, Work: 8, Events: 4}
	for _, p := range []struct {
		name string
		dst  *int32
	}{{"NEZUKO_DB_POOL_API", &c.Pools.API}, {"NEZUKO_DB_POOL_WORK", &c.Pools.Work}, {"NEZUKO_DB_POOL_EVENTS", &c.Pools.Events}} {
		if s := strings.TrimSpace(os.Getenv(p.name)); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil || n < 1 || n > 1000 {
				return nil, fmt.Errorf("%s: want a number of connections from 1 to 1000", p.name)
			}
			*p.dst = int32(n)
		}
	}
	var err error
	if c.HTTPReadTimeout, err = envDuration("NEZUKO_HTTP_READ_TIMEOUT", 30*time.Second); err != nil {
		return nil, err
	}
	if c.HTTPIdleTimeout, err = envDuration("NEZUKO_HTTP_IDLE_TIMEOUT", 60*time.Second); err != nil {
		return nil, err
	}
	if c.HTTPMaxBody, err = envBytes("NEZUKO_HTTP_MAX_BODY", 1<<20, 1<<10, 1<<30); err != nil {
		return nil, err
	}
	maxHeader, err := envBytes("NEZUKO_HTTP_MAX_HEADER", 64<<10, 4<<10, 16<<20)
	if err != nil {
		return nil, err
	}
	c.HTTPMaxHeader = int(maxHeader)
	if s := os.Getenv("NEZUKO_SHUTDOWN_TIMEOUT"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("NEZUKO_SHUTDOWN_TIMEOUT: want a positive duration such as 10s")
		}
		c.ShutdownTimeout = d
	}
	return c, nil
}

// PoolConfig parses DATABASE_URL. Its errors never contain the password.
func (c *Config) PoolConfig() (*pgxpool.Config, error) {
	if c.DatabaseURL == "" {
		return nil, errors.New("DATABASE_URL is not set (for example postgres://user@127.0.0.1:5432/nezuko)")
	}
	pc, err := pgxpool.ParseConfig(c.DatabaseURL)
	if err != nil {
		// pgx's parse errors quote the URL with the password masked, but
		// keep ours short and certain.
		return nil, errors.New("DATABASE_URL is not a valid PostgreSQL URL or DSN")
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "nezuko"
	pc.ConnConfig.BuildContextWatcherHandler = keepConnOnCancel
	return pc, nil
}

// keepConnOnCancel: when a query's context ends (an API client hung up,
// serve is stopping), let a short statement finish and cancel a long one
// with a cancel request, keeping the connection. pgx's default breaks the
// connection at once, so every client that disconnects mid-request cost
// the pool a connection and the next request a new backend (a connect and
// cold caches: tens of ms on a busy machine). The deadline is the fallback
// for a server that does not answer at all. Not for a connection that
// waits with no statement running (LISTEN): a cancel request does not end
// that wait; use BreakConnOnCancel there.
func keepConnOnCancel(c *pgconn.PgConn) ctxwatch.Handler {
	return &pgconn.CancelRequestContextWatcherHandler{
		Conn:               c,
		CancelRequestDelay: 100 * time.Millisecond,
		DeadlineDelay:      5 * time.Second,
	}
}

// BreakConnOnCancel is pgx's default context handling (the connection is
// closed as soon as the context ends), for connections made from
// PoolConfig's ConnConfig that wait on the server with no statement
// running, such as a LISTEN connection's WaitForNotification.
func BreakConnOnCancel(c *pgconn.PgConn) ctxwatch.Handler {
	return &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()}
}

func envDuration(k string, def time.Duration) (time.Duration, error) {
	s := strings.TrimSpace(os.Getenv(k))
	if s == "" {
		return def, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: want a positive duration such as %s", k, def)
	}
	return d, nil
}

// envBytes reads a size in bytes, bounded by lo and hi.
func envBytes(k string, def, lo, hi int64) (int64, error) {
	s := strings.TrimSpace(os.Getenv(k))
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%s: want a number of bytes from %d to %d", k, lo, hi)
	}
	return n, nil
}

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}
