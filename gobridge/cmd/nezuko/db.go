package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/migrate"
)

// connect opens one connection (tern needs a *pgx.Conn, not a pool).
func connect(ctx context.Context, e *env) (*pgx.Conn, error) {
	pc, err := e.cfg.PoolConfig()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, pc.ConnConfig)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the database: %w", err)
	}
	return conn, nil
}

// openPool opens a connection pool (maxConns connections unless
// DATABASE_URL sets pool_max_conns; 0 keeps pgx's default). name, when
// set, tags its sessions' application_name (nezuko/api, ...), so
// pg_stat_activity shows which pool a backend belongs to.
func openPool(ctx context.Context, e *env, name string, maxConns int32) (*pgxpool.Pool, error) {
	pc, err := e.cfg.PoolConfig()
	if err != nil {
		return nil, err
	}
	if name != "" {
		pc.ConnConfig.RuntimeParams["application_name"] += "/" + name
	}
	// pool_max_conns in DATABASE_URL wins over the command's default.
	if maxConns > 0 && !strings.Contains(e.cfg.DatabaseURL, "pool_max_conns") {
		pc.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("cannot connect to the database: %w", err)
	}
	return pool, nil
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// helpRequested: -h/--help was given; run prints the command's flags and
// exits 0.
type helpRequested struct{ fs *flag.FlagSet }

func (helpRequested) Error() string { return "help requested" }

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return helpRequested{fs}
		}
		return usageError{err.Error()}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	return nil
}

func runMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags("migrate")
	force := fs.Bool("force", false, "reinstall the code packages even when unchanged")
	dir := fs.String("dir", "", "install the SQL of this checkout (its sql/, functions/, triggers/) instead of the copy built into the binary")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	src := migrate.Embedded()
	if *dir != "" {
		var err error
		if src, err = migrate.Dir(*dir); err != nil {
			return err
		}
	}
	conn, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	rep, err := migrate.MigrateFrom(ctx, conn, src, *force)
	if err != nil {
		return err
	}
	if len(rep.Applied) == 0 {
		fmt.Fprintf(e.stdout, "migrations: up to date at version %d\n", rep.ToVersion)
	} else {
		fmt.Fprintf(e.stdout, "migrations: %d -> %d (%s)\n", rep.FromVersion, rep.ToVersion, strings.Join(rep.Applied, ", "))
	}
	for _, p := range rep.Installed {
		fmt.Fprintf(e.stdout, "code package %s: installed\n", p)
	}
	for _, p := range rep.UpToDate {
		fmt.Fprintf(e.stdout, "code package %s: up to date\n", p)
	}
	return nil
}
