package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// Authenticate is what other components (the realtime relay) use to apply
// the API's rules to their own requests.
func TestAuthenticateFindsTheCallerAndRefusesRevokedTokens(t *testing.T) {
	pool, _ := testdb.NewPool(t)
	ctx := context.Background()
	var id int64
	var tok string
	if err := pool.QueryRow(ctx, `select token_id, token from auth.create_token('t', 'admin')`).Scan(&id, &tok); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("GET", "/v1/events", nil)
	if _, err := api.Authenticate(ctx, pool, r); !errors.Is(err, api.ErrUnauthenticated) {
		t.Errorf("no header: %v, want ErrUnauthenticated", err)
	}
	r.Header.Set("Authorization", "Bearer "+tok)
	p, err := api.Authenticate(ctx, pool, r)
	if err != nil || p.Role != "admin" || p.TokenID != id || p.AdminUserID != nil {
		t.Fatalf("Authenticate = %+v, %v", p, err)
	}
	if _, err := pool.Exec(ctx, `update nezuko.api_tokens set revoked_at = now() where id = $1`, id); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AuthenticateToken(ctx, pool, tok); !errors.Is(err, api.ErrUnauthenticated) {
		t.Errorf("revoked token: %v, want ErrUnauthenticated", err)
	}
}
