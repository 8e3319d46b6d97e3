// Command baseline is the floor for `just bench-api`: a minimal net/http +
// pgx handler that makes the same call as the API, in the same single round
// trip (a pgx batch of auth.begin_request and the function call), and
// writes the JSON. No routing, validation, catalog or Huma.
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

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/nezuko-bot/nezuko/gobridge/api"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9001", "listen address")
	fns := flag.String("fn", "", "comma-separated api functions, served at /v1/rpc/{name}")
	flag.Parse()
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	mux := http.NewServeMux()
	for _, fn := range strings.Split(*fns, ",") {
		sql, err := api.CallSQL(ctx, pool, fn)
		if err != nil {
			log.Fatal(err)
		}
		mux.HandleFunc("GET /v1/rpc/"+fn, func(w http.ResponseWriter, r *http.Request) {
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
