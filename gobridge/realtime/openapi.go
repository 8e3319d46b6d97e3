package realtime

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/nezuko-bot/nezuko/gobridge/api"
)

// The event payloads, for the OpenAPI document only: the JSON itself is
// the row as SQL renders it (to_jsonb of the table row, minus txid).

// VerificationEvent is a verification_log row (event verification,
// channel dashboard).
type VerificationEvent struct {
	ID        int64     `json:"id"`
	UserID    int64     `json:"user_id"`
	GroupID   *int64    `json:"group_id"`
	ChannelID *int64    `json:"channel_id"`
	Status    string    `json:"status" enum:"verified,restricted,error"`
	LatencyMS int32     `json:"latency_ms"`
	Cached    bool      `json:"cached"`
	ErrorType *string   `json:"error_type"`
	Timestamp time.Time `json:"timestamp"`
}

// StatusChangedEvent is a bot_status row as it is after the change (event
// status_changed, channel bot_status).
type StatusChangedEvent struct {
	BotInstanceID int64          `json:"bot_instance_id"`
	Status        string         `json:"status" enum:"starting,online,degraded,offline,error"`
	StartedAt     time.Time      `json:"started_at"`
	LastHeartbeat time.Time      `json:"last_heartbeat"`
	UptimeSeconds int64          `json:"uptime_seconds"`
	Version       *string        `json:"version"`
	Instance      *string        `json:"instance"`
	Metadata      map[string]any `json:"metadata"`
	UpdatedAt     time.Time      `json:"updated_at"`
}

// CommandUpdatedEvent is an admin_commands row after it was created or
// changed status (event command_updated, channel commands).
type CommandUpdatedEvent struct {
	ID             int64          `json:"id"`
	CommandType    string         `json:"command_type"`
	BotInstanceID  *int64         `json:"bot_instance_id"`
	Payload        map[string]any `json:"payload"`
	Status         string         `json:"status" enum:"pending,running,completed,failed,cancelled"`
	Attempts       int32          `json:"attempts"`
	MaxAttempts    int32          `json:"max_attempts"`
	RunAfter       time.Time      `json:"run_after"`
	LeaseOwner     *string        `json:"lease_owner"`
	LeaseExpiresAt *time.Time     `json:"lease_expires_at"`
	Result         any            `json:"result"`
	Error          *string        `json:"error"`
	IdempotencyKey *string        `json:"idempotency_key"`
	CreatedBy      *int64         `json:"created_by"`
	CreatedAt      time.Time      `json:"created_at"`
	StartedAt      *time.Time     `json:"started_at"`
	FinishedAt     *time.Time     `json:"finished_at"`
	CancelledAt    *time.Time     `json:"cancelled_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// NewLogEvent is an admin_logs row at INFO or above (event new_log,
// channel logs).
type NewLogEvent struct {
	ID             int64          `json:"id"`
	Level          string         `json:"level" enum:"INFO,WARNING,ERROR,CRITICAL"`
	Logger         string         `json:"logger"`
	Message        string         `json:"message"`
	SourceFile     *string        `json:"source_file"`
	SourceFunction *string        `json:"source_function"`
	SourceLine     *int32         `json:"source_line"`
	Attributes     map[string]any `json:"attributes"`
	BotInstanceID  *int64         `json:"bot_instance_id"`
	Instance       *string        `json:"instance"`
	Timestamp      time.Time      `json:"timestamp"`
}

// ResetEvent tells a resuming client that its Last-Event-ID cannot be
// replayed exactly: refetch the state, then follow the stream.
type ResetEvent struct {
	Reason string `json:"reason"`
}

const eventsDescription = `Server-Sent Events of the four live streams. ` +
	"`channels` is a comma-separated subset of `dashboard` (event `verification`), `bot_status` (`status_changed`), " +
	"`commands` (`command_updated`) and `logs` (`new_log`); empty means all. Each event's `id` is a cursor " +
	"(`txid-kind-id`) over every channel: reconnect with `Last-Event-ID` (EventSource does it by itself) to " +
	"receive exactly the events missed, in order; when more than 10,000 were missed or the outbox was pruned " +
	"(24 h), one `reset` event says to refetch. A `: keep-alive` comment comes every 15 s. A client that falls " +
	"too far behind is disconnected and may resume. Browsers: EventSource cannot send headers, so get a " +
	"short-lived ticket from `POST /v1/events/ticket` and pass it as `access_token` (API tokens are refused in " +
	"the query string). A stream closes within a few seconds of its token being revoked (logout) or its account " +
	"deactivated. At most a few streams per token are open at once (429 beyond)."

// Register describes GET /v1/events and POST /v1/events/ticket in h's
// OpenAPI document and routes them to s. h must use the humago
// adapter (the stream takes over the connection). security names the
// bearer security scheme of the document ("" for none).
func (s *Service) Register(h huma.API, security string) {
	var sec []map[string][]string
	if security != "" {
		sec = []map[string][]string{{security: {}}}
	}
	reg := h.OpenAPI().Components.Schemas
	events := []struct {
		name string
		typ  any
	}{
		{"verification", VerificationEvent{}}, {"status_changed", StatusChangedEvent{}},
		{"command_updated", CommandUpdatedEvent{}}, {"new_log", NewLogEvent{}}, {"reset", ResetEvent{}},
	}
	var oneOf []*huma.Schema
	for _, e := range events {
		oneOf = append(oneOf, &huma.Schema{
			Title: "Event " + e.name,
			Type:  huma.TypeObject,
			Properties: map[string]*huma.Schema{
				"id":    {Type: huma.TypeString, Description: "Cursor txid-kind-id; send it back as Last-Event-ID."},
				"event": {Type: huma.TypeString, Description: "The event name.", Enum: []any{e.name}},
				"data":  reg.Schema(reflect.TypeOf(e.typ), true, e.name),
			},
			Required: []string{"id", "event", "data"},
		})
	}
	errResp := func(desc string) *huma.Response {
		return &huma.Response{Description: desc, Content: map[string]*huma.MediaType{
			"application/problem+json": {Schema: reg.Schema(reflect.TypeOf(huma.ErrorModel{}), true, "ErrorModel")},
		}}
	}
	op := &huma.Operation{
		OperationID: "stream-events",
		Method:      http.MethodGet,
		Path:        "/v1/events",
		Summary:     "Live events (Server-Sent Events)",
		Description: eventsDescription,
		Tags:        []string{"realtime"},
		Security:    sec,
		Parameters: []*huma.Param{
			{Name: "channels", In: "query", Description: "Comma-separated channels: dashboard, bot_status, commands, logs (empty: all).",
				Schema: &huma.Schema{Type: huma.TypeString, Pattern: `^((dashboard|bot_status|commands|logs)(,(dashboard|bot_status|commands|logs))*)?$`}},
			{Name: "Last-Event-ID", In: "header", Description: "Resume after this event id.", Schema: &huma.Schema{Type: huma.TypeString}},
			{Name: "last_event_id", In: "query", Description: "Same as the Last-Event-ID header, for a first connection that resumes.", Schema: &huma.Schema{Type: huma.TypeString}},
			{Name: "access_token", In: "query", Description: "A ticket from POST /v1/events/ticket, for clients that cannot set the Authorization header (EventSource). API tokens are refused here.", Schema: &huma.Schema{Type: huma.TypeString}},
		},
		Responses: map[string]*huma.Response{
			"200": {Description: "An endless text/event-stream.", Content: map[string]*huma.MediaType{
				"text/event-stream": {Schema: &huma.Schema{
					Title:       "Server Sent Events",
					Description: "Each oneOf object is one possible event, serialized as UTF-8 text per the SSE specification.",
					Type:        huma.TypeArray,
					Items:       &huma.Schema{Extensions: map[string]any{"oneOf": oneOf}},
				}},
			}},
			"400": errResp("Unknown channel."),
			"401": errResp("Missing or invalid token."),
			"503": errResp("Database unreachable; retry."),
		},
	}
	h.OpenAPI().AddOperation(op)
	h.Adapter().Handle(op, func(ctx huma.Context) {
		r, w := humago.Unwrap(ctx)
		s.ServeEvents(w, r)
	})

	huma.Register(h, huma.Operation{
		OperationID:   "create-events-ticket",
		Method:        http.MethodPost,
		Path:          "/v1/events/ticket",
		Summary:       "Short-lived token for EventSource",
		Description:   "Issues a ticket that expires in 5 minutes and opens GET /v1/events only (pass it as `access_token`: browsers' EventSource cannot send an Authorization header). It acts with the caller's role, cannot call the API or mint tickets, is not listed among API tokens, and dies with the caller's token: revoking that token (logout) also closes the streams it opened.",
		Tags:          []string{"realtime"},
		Security:      sec,
		DefaultStatus: http.StatusCreated,
	}, func(ctx context.Context, in *ticketInput) (*ticketOutput, error) {
		caller, err := s.authenticate(in.req)
		if err != nil {
			if errors.Is(err, api.ErrUnauthenticated) {
				return nil, huma.Error401Unauthorized("a valid bearer token is required in the Authorization header")
			}
			return nil, huma.Error503ServiceUnavailable("cannot check credentials now; retry")
		}
		t, err := s.mintTicket(ctx, caller)
		if err != nil {
			s.log.Warn("realtime: mint ticket", "err", err)
			return nil, huma.Error503ServiceUnavailable("cannot issue a ticket now; retry")
		}
		return &ticketOutput{Body: *t}, nil
	})
}

type ticketInput struct {
	req *http.Request
}

// Resolve keeps the raw request, to authenticate it like the stream.
func (t *ticketInput) Resolve(ctx huma.Context) []error {
	t.req, _ = humago.Unwrap(ctx)
	return nil
}

type ticketOutput struct {
	Body Ticket
}
