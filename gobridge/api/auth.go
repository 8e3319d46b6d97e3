package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/jackc/pgx/v5"
)

// Principal is the caller behind a bearer token.
type Principal struct {
	TokenID     int64
	Role        string // "viewer" or "admin"
	AdminUserID *int64 // nil for tokens made with `nezuko token create`
}

// ErrUnauthenticated: no bearer token, or one that is unknown, expired or
// revoked (answer 401).
var ErrUnauthenticated = errors.New("missing, invalid, expired or revoked bearer token")

// Authenticate finds the caller of r from its Authorization: Bearer header
// (auth.authenticate). Components outside this package (the realtime relay)
// use it to apply the same rules; answer a failure with
// WriteProblem(w, r, http.StatusUnauthorized, err.Error()).
func Authenticate(ctx context.Context, q Querier, r *http.Request) (Principal, error) {
	token, ok := bearer(r)
	if !ok {
		return Principal{}, ErrUnauthenticated
	}
	return AuthenticateToken(ctx, q, token)
}

// AuthenticateToken is Authenticate for a token that did not come in an
// Authorization header (a browser's EventSource cannot send one).
func AuthenticateToken(ctx context.Context, q Querier, token string) (Principal, error) {
	if token == "" {
		return Principal{}, ErrUnauthenticated
	}
	var p Principal
	var err error
	for attempt := 1; attempt <= 4; attempt++ { // see Service.run: a reinstall may be swapping auth.*
		err = q.QueryRow(ctx, `select token_id, role, admin_user_id from auth.authenticate($1)`, token).
			Scan(&p.TokenID, &p.Role, &p.AdminUserID)
		if err == nil || !swapError(err) || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return Principal{}, ErrUnauthenticated
		}
		return Principal{}, err
	}
	setTokenID(ctx, p.TokenID)
	return p, nil
}

// AuthenticateTicket finds the caller behind an events ticket
// (auth.authenticate_ticket: minted by POST /v1/events/ticket, it opens
// GET /v1/events and nothing else). ErrUnauthenticated when it is not a
// live ticket.
func AuthenticateTicket(ctx context.Context, q Querier, ticket string) (Principal, error) {
	var p Principal
	err := q.QueryRow(ctx, `select token_id, role, admin_user_id from auth.authenticate_ticket($1)`, ticket).
		Scan(&p.TokenID, &p.Role, &p.AdminUserID)
	if errors.Is(err, pgx.ErrNoRows) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, err
	}
	setTokenID(ctx, p.TokenID)
	return p, nil
}
