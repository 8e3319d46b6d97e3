// Package config reads the bridge's settings from the environment. Every
// setting has one variable; the README lists them.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
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
}

// FromEnv reads the configuration. It fails on malformed values, not on
// missing ones: each command checks what it needs.
func FromEnv() (*Config, error) {
	c := &Config{
		DatabaseURL:     strings.TrimSpace(os.Getenv("DATABASE_URL")),
		ReadDatabaseURL: strings.TrimSpace(os.Getenv("NEZUKO_READ_DATABASE_URL")),
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

func envOr(k, def string) string {
	if v := strings.TrimSpace(os.Getenv(k)); v != "" {
		return v
	}
	return def
}
