// Package config reads the bridge's settings from the environment. Every
// setting has one variable; the README lists them.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
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
	DatabaseURL string
	// ReadDatabaseURL, optional, is a read replica: the API's STABLE
	// operations (GET /v1/rpc/...) run there; everything else stays on
	// DatabaseURL.
	ReadDatabaseURL string
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
	// CORSOrigins: browser origins allowed to call the API (empty: no CORS).
	CORSOrigins []string
	LogDB       bool // serve also logs into nezuko.admin_logs

	SSEKeepAlive       time.Duration // 0: the relay's default
	SSEClientBuffer    int           // 0: the relay's default
	SSEStreamsPerToken int           // 0: the relay's default
	SSEReplayMemory    int64         // 0: the relay's default
	BotReload          time.Duration // 0: the manager's default
	BotPollTimeout     time.Duration // -1: the manager's default
}

// Pools are the connection pools of `nezuko serve`, one per kind of work,
// so that one cannot starve another: slow API reads (a page of a large log)
// never hold the connections enforcement and the command queue need.
type Pools struct {
	API    int32 // NEZUKO_DB_POOL_API: REST API requests, /readyz
	Work   int32 // NEZUKO_DB_POOL_WORK: bots (updates, plans), the command queue, heartbeats
	Events int32 // NEZUKO_DB_POOL_EVENTS: the realtime relay, SSE auth and replays, the admin_logs sink
}

// FromEnv reads the configuration. Every variable is checked the same
// way: a malformed value is an error naming the variable, what it wants and
// what it got, never a silent default. A missing one takes its default;
// each command checks what it needs (DATABASE_URL).
func FromEnv() (*Config, error) {
	e := &reader{}
	c := &Config{
		DatabaseURL:        strings.TrimSpace(os.Getenv("DATABASE_URL")),
		ReadDatabaseURL:    strings.TrimSpace(os.Getenv("NEZUKO_READ_DATABASE_URL")),
		HTTPAddr:           e.hostPort("NEZUKO_HTTP_ADDR", "127.0.0.1:8080"),
		TelegramAPIURL:     strings.TrimRight(e.url("NEZUKO_TELEGRAM_API_URL", DefaultTelegramAPIURL), "/"),
		ShutdownTimeout:    e.duration("NEZUKO_SHUTDOWN_TIMEOUT", 10*time.Second, time.Millisecond),
		PublicURL:          strings.TrimRight(e.url("NEZUKO_PUBLIC_URL", ""), "/"),
		DebugAddr:          e.hostPort("NEZUKO_DEBUG_ADDR", ""),
		CORSOrigins:        e.origins("NEZUKO_CORS_ORIGINS"),
		LogDB:              e.onOff("NEZUKO_LOG_DB", true),
		SSEKeepAlive:       e.duration("NEZUKO_SSE_KEEPALIVE", 0, time.Millisecond),
		SSEClientBuffer:    e.integer("NEZUKO_SSE_CLIENT_BUFFER", 0, 1),
		BotReload:          e.duration("NEZUKO_BOT_RELOAD", 0, time.Millisecond),
		BotPollTimeout:     e.duration("NEZUKO_BOT_POLL_TIMEOUT", -1, 0),
		SSEStreamsPerToken: int(e.bounded("NEZUKO_SSE_STREAMS_PER_TOKEN", 0, 1, 100000, "streams")),
		SSEReplayMemory:    e.bounded("NEZUKO_SSE_REPLAY_MEMORY", 0, 2<<20, 1<<34, "bytes"),
		Pools: Pools{
			API:    int32(e.bounded("NEZUKO_DB_POOL_API", 12, 1, 1000, "connections")),
			Work:   int32(e.bounded("NEZUKO_DB_POOL_WORK", 8, 1, 1000, "connections")),
			Events: int32(e.bounded("NEZUKO_DB_POOL_EVENTS", 4, 1, 1000, "connections")),
		},
		HTTPReadTimeout: e.duration("NEZUKO_HTTP_READ_TIMEOUT", 30*time.Second, time.Millisecond),
		HTTPIdleTimeout: e.duration("NEZUKO_HTTP_IDLE_TIMEOUT", 60*time.Second, time.Millisecond),
		HTTPMaxBody:     e.bounded("NEZUKO_HTTP_MAX_BODY", 1<<20, 1<<10, 1<<30, "bytes"),
		HTTPMaxHeader:   int(e.bounded("NEZUKO_HTTP_MAX_HEADER", 64<<10, 4<<10, 16<<20, "bytes")),
	}
	for _, k := range strings.Split(os.Getenv("NEZUKO_FERNET_KEYS"), ",") {
		if k = strings.TrimSpace(k); k != "" {
			if len(k) != 44 {
				e.fail("NEZUKO_FERNET_KEYS", "comma-separated Fernet keys of 44 characters (nezuko keygen makes one)", "a key of "+strconv.Itoa(len(k))+" characters")
			}
			c.FernetKeys = append(c.FernetKeys, k)
		}
	}
	if v := strings.TrimSpace(os.Getenv("NEZUKO_LOG_LEVEL")); v != "" {
		if err := c.LogLevel.UnmarshalText([]byte(v)); err != nil {
			e.fail("NEZUKO_LOG_LEVEL", "debug, info, warn or error", v)
		}
	}
	if e.err != nil {
		return nil, e.err
	}
	return c, nil
}

// reader parses environment variables, keeping the first error.
type reader struct{ err error }

func (e *reader) fail(name, want, got string) {
	if e.err == nil {
		e.err = fmt.Errorf("%s: want %s (got %q)", name, want, got)
	}
}

func (e *reader) duration(name string, def, min time.Duration) time.Duration {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < min || (min > 0 && d <= 0) {
		what := "a positive duration such as 10s or 500ms"
		if min == 0 {
			what = "a duration of 0 or more, such as 25s"
		}
		e.fail(name, what, v)
		return def
	}
	return d
}

func (e *reader) integer(name string, def, min int) int {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min {
		e.fail(name, "a whole number of at least "+strconv.Itoa(min), v)
		return def
	}
	return n
}

// bounded reads a whole number from lo to hi (unit names it in the error).
func (e *reader) bounded(name string, def, lo, hi int64, unit string) int64 {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		e.fail(name, fmt.Sprintf("a number of %s from %d to %d", unit, lo, hi), v)
		return def
	}
	return n
}

func (e *reader) onOff(name string, def bool) bool {
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv(name))); v {
	case "":
		return def
	case "on", "true", "1", "yes":
		return true
	case "off", "false", "0", "no":
		return false
	default:
		e.fail(name, "on or off", v)
		return def
	}
}

func (e *reader) hostPort(name, def string) string {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		e.fail(name, "host:port, such as 127.0.0.1:8080 or :8080", v)
		return def
	}
	return v
}

func (e *reader) url(name, def string) string {
	v := strings.TrimSpace(os.Getenv(name))
	if v == "" {
		return def
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		e.fail(name, "an http:// or https:// URL", v)
		return def
	}
	return v
}

// origins reads a comma-separated list of browser origins: each
// scheme://host[:port] with no path, or "*" for any.
func (e *reader) origins(name string) []string {
	var out []string
	for _, o := range strings.Split(os.Getenv(name), ",") {
		o = strings.TrimSpace(o)
		if o == "" {
			continue
		}
		if o == "*" {
			out = append(out, o)
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.TrimRight(u.Path, "/") != "" || u.RawQuery != "" {
			e.fail(name, "comma-separated origins scheme://host[:port], such as http://localhost:5173, or *", o)
			return nil
		}
		out = append(out, u.Scheme+"://"+u.Host)
	}
	return out
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

// ReadPoolConfig parses NEZUKO_READ_DATABASE_URL (nil when unset).
func (c *Config) ReadPoolConfig() (*pgxpool.Config, error) {
	if c.ReadDatabaseURL == "" {
		return nil, nil
	}
	pc, err := pgxpool.ParseConfig(c.ReadDatabaseURL)
	if err != nil {
		return nil, errors.New("NEZUKO_READ_DATABASE_URL is not a valid PostgreSQL URL or DSN")
	}
	pc.ConnConfig.RuntimeParams["application_name"] = "nezuko-read"
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
