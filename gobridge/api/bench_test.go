package api_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// BenchmarkServeListConfig is one API call in process (no network) on a
// real database: with -cpuprofile it shows where the Go side spends time
// (on the project machine about 30 µs of CPU per call outside pgx and I/O).
func BenchmarkServeListConfig(b *testing.B) {
	pool, _ := testdb.NewPool(b)
	ctx := context.Background()
	var tok string
	_ = pool.QueryRow(ctx, `select token from auth.create_token('v', 'viewer')`).Scan(&tok)
	svc := api.New(api.Options{Pool: pool, Log: slog.New(slog.DiscardHandler)})
	if err := svc.Reload(ctx); err != nil {
		b.Fatal(err)
	}
	mux := http.NewServeMux()
	svc.Register(mux)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req := httptest.NewRequest("GET", "/v1/rpc/list_config", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code != 200 {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}
