// Command baseline is the floor for `just bench-api`: a minimal net/http +
// pgx handler that makes the same call as the API, in the same single round
// trip (a pgx batch of auth.begin_request and the function call), and
// writes the JSON. No routing, validation, catalog or Huma. GET
// /debug/latency reports its handler times and pool counters, as `nezuko
// serve` does on NEZUKO_DEBUG_ADDR.
//
//	baseline -addr 127.0.0.1:9001 -fn list_config   (DATABASE_URL from the environment)
package main

import (
	"context"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/config"
	"github.com/nezuko-bot/nezuko/gobridge/latency"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	fns := flag.String("fn", "", "comma-separated api functions, served at /v1/rpc/{name}")
	flag.Parse()
	ctx := context.Background()
	// The pool settings of `nezuko serve` (config.PoolConfig), so the
	// comparison is of the handlers alone.
	pc, err := (&config.Config{DatabaseURL: os.Getenv("DATABASE_URL")}).PoolConfig()
	if err != nil {
		log.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	var hist latency.Histogram
	mux.Handle("GET /debug/latency", latency.Handler(&hist, pool))
	for _, fn := range strings.Split(*fns, ",") {
		sql, err := api.CallSQL(ctx, pool, fn)
		if err != nil {
			log.Fatal(err)
		}
		mux.HandleFunc("GET /v1/rpc/"+fn, func(w http.ResponseWriter, r *http.Request) {
			defer hist.Since(time.Now())
			token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
			host, _, _ := net.SplitHostPort(r.RemoteAddr)
			b := &pgx.Batch{}
			b.Queue(api.BeginSQL, token, host, r.UserAgent())
			b.Queue(sql)
			br := pool.SendBatch(r.Context(), b)
			defer br.Close()
			var body []byte
			if _, err := br.Exec(); err != nil {
				http.Error(w, err.Error(), http.StatusUnauthorized)
				return
			}
			if err := br.QueryRow().Scan(&body); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			if err := br.Close(); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			_, _ = w.Write(body)
		})
	}
	log.Fatal(http.ListenAndServe(*addr, mux))
}
