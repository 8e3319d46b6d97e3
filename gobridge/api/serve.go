package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// serve answers one call of the function.
func (op *operation) serve(hctx huma.Context) {
	r, w := humago.Unwrap(hctx)
	ctx := r.Context()
	token, ok := bearer(r)
	if !ok {
		writeProblem(w, problem(ctx, http.StatusUnauthorized, "missing bearer token (Authorization: Bearer <token>)"))
		return
	}
	values, perr := op.readInput(r)
	if perr != nil {
		writeProblem(w, perr)
		return
	}
	sql, args := op.sql(values)
	run := op.s.run
	if !op.fn.Volatile && op.s.opts.ReadPool != nil {
		run = op.s.runRead
	}
	body, err := run(ctx, r, token, sql, args, op.result == resultVoid)
	if err != nil {
		op.s.writeDBError(w, r, err, op.fn.Name)
		return
	}
	if op.result == resultVoid {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

const beginSQL = `select token_id, role, admin_user_id from auth.begin_request($1, $2, $3)`

// run executes one call as the token's caller: a batch of
// auth.begin_request and the statement, one transaction, one round trip.
//
// A reinstall of the code packages (nezuko migrate) swaps every function
// while requests run, and a request caught in the swap fails with an error
// that says nothing about the request: its cached plan changed shape
// (0A000), it held a plan of a function the install dropped ("cache lookup
// failed", XX000; "type with OID ... does not exist", 42704), the
// function vanished for an instant (42883), or it
// deadlocked with the install's locks (40P01). The whole batch failed, so
// nothing was done: it runs again, up to 4 times, a few ms apart.
func (s *Service) run(ctx context.Context, r *http.Request, token, sql string, args []any, void bool) ([]byte, error) {
	retry := backoff.New(20*time.Millisecond, 100*time.Millisecond)
	for attempt := 1; ; attempt++ {
		body, err := s.runOnce(ctx, r, token, sql, args, void)
		if err == nil || attempt >= 4 || !swapError(err) || ctx.Err() != nil {
			return body, err
		}
		if attempt > 1 {
			backoff.Sleep(ctx, retry.Next())
		}
	}
}

// swapError: a failure a concurrent reinstall of the code packages causes.
func swapError(err error) bool {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return false
	}
	switch pg.Code {
	case "0A000", "40P01", "40001", "42883":
		return true
	}
	// A function, type or row type the install dropped, found by an OID
	// the request already held: XX000 "cache lookup failed for function",
	// XX000 "could not open relation with OID", 42704 "type with OID ...
	// does not exist".
	return strings.Contains(pg.Message, "cache lookup failed") || strings.Contains(pg.Message, " with OID ")
}

func (s *Service) runOnce(ctx context.Context, r *http.Request, token, sql string, args []any, void bool) ([]byte, error) {
	tokenID, body, err := callAs(ctx, s.opts.Pool, beginSQL, r, token, sql, args, void)
	if tokenID != 0 {
		setTokenID(ctx, tokenID)
	}
	return body, err
}

// callAs sends begin (auth.begin_request or its read-replica twin) and the
// statement in one batch: one transaction, one round trip. tokenID is the
// token begin authenticated (0 when it failed).
func callAs(ctx context.Context, pool *pgxpool.Pool, begin string, r *http.Request, token, sql string, args []any, void bool) (tokenID int64, body []byte, err error) {
	batch := &pgx.Batch{}
	batch.Queue(begin, token, clientIP(r), r.UserAgent())
	batch.Queue(sql, args...)
	br := pool.SendBatch(ctx, batch)
	defer br.Close()
	var (
		role    string
		adminID *int64
	)
	if err := br.QueryRow().Scan(&tokenID, &role, &adminID); err != nil {
		return 0, nil, err
	}
	if void {
		if _, err := br.Exec(); err != nil {
			return tokenID, nil, err
		}
		return tokenID, nil, br.Close()
	}
	if err := br.QueryRow().Scan(&body); err != nil {
		return tokenID, nil, err
	}
	return tokenID, body, br.Close()
}

// writeDBError answers a failed call with the mapped problem; a 500 is
// logged with the request id and shows only that id.
func (s *Service) writeDBError(w http.ResponseWriter, r *http.Request, err error, what string) {
	ctx := r.Context()
	status, detail, ok, sqlstate := dbProblem(err)
	if !ok {
		s.log.Error("api: request failed", "request_id", RequestID(ctx), "operation", what, "err", err)
		if status == http.StatusInternalServerError || detail == "" {
			detail = internal(ctx)
		}
	} else if status >= 500 {
		s.log.Warn("api: request failed", "request_id", RequestID(ctx), "operation", what, "status", status, "err", err)
	}
	writeProblem(w, problem(ctx, status, detail).withCode(sqlstate))
}
