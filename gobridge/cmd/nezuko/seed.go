package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// runSeed fills the database with demo data by calling demo.generate: all
// the generating happens in SQL, set-based, so the rollup triggers see big
// INSERT ... SELECT statements, as they would see a bulk load.
func runSeed(ctx context.Context, e *env, args []string) error {
	fs := newFlags("seed")
	rows := fs.Int64("rows", 100_000, "verification_log rows to generate")
	apiRows := fs.Int64("api-rows", -1, "api_call_log rows to generate (default: as many as -rows)")
	days := fs.Int("days", 90, "days of history, ending now")
	groups := fs.Int("groups", 50, "protected groups (each with its own channel)")
	appendRows := fs.Bool("append", false, "add to logs that already hold rows")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rows < 0 || *days < 1 || *groups < 1 {
		return usageError{"-rows must be >= 0, -days and -groups >= 1"}
	}
	var api any
	if *apiRows >= 0 {
		api = *apiRows
	}
	conn, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())

	start := time.Now()
	res, err := conn.Query(ctx, `select table_name, rows from demo.generate($1, $2, $3, $4, $5)`,
		*rows, *days, *groups, api, *appendRows)
	if err != nil {
		return seedError(err)
	}
	type count struct {
		table string
		rows  *int64
	}
	var counts []count
	for res.Next() {
		var c count
		if err := res.Scan(&c.table, &c.rows); err != nil {
			res.Close()
			return fmt.Errorf("seed: read summary: %w", err)
		}
		counts = append(counts, c)
	}
	if err := res.Err(); err != nil {
		return seedError(err)
	}
	elapsed := time.Since(start)
	for _, c := range counts {
		n := int64(0)
		if c.rows != nil {
			n = *c.rows
		}
		fmt.Fprintf(e.stdout, "%-18s %d\n", c.table, n)
	}
	fmt.Fprintf(e.stdout, "seeded in %s\n", elapsed.Round(time.Millisecond))
	e.log.Info("demo data generated", "rows", *rows, "days", *days, "groups", *groups, "elapsed", elapsed)
	return nil
}

// seedError turns the database's refusals into one readable line.
func seedError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "3F000", "42883":
			return fmt.Errorf("seed: demo.generate is missing: run nezuko migrate first")
		case "55000":
			return fmt.Errorf("seed: %s (%s)", pe.Message, pe.Hint)
		case "22023":
			return usageError{pe.Message}
		}
	}
	return fmt.Errorf("seed: %w", err)
}
