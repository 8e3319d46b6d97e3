package realtime

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
)

func TestRegisterDescribesTheStreamInOpenAPIAndServesThroughHuma(t *testing.T) {
	mux := http.NewServeMux()
	api := humago.New(mux, huma.DefaultConfig("test", "1"))
	s := New(nil, slog.New(slog.NewTextHandler(io.Discard, nil)), Options{})
	s.Register(api, "bearer")

	doc, err := json.Marshal(api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Paths map[string]map[string]struct {
			OperationID string `json:"operationId"`
			Responses   map[string]struct {
				Content map[string]json.RawMessage `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(doc, &spec); err != nil {
		t.Fatal(err)
	}
	get := spec.Paths["/v1/events"]["get"]
	if get.OperationID != "stream-events" {
		t.Fatalf("GET /v1/events missing from the document: %s", doc)
	}
	stream := string(get.Responses["200"].Content["text/event-stream"])
	for _, ev := range []string{"verification", "status_changed", "command_updated", "new_log", "reset"} {
		if !strings.Contains(stream, `"enum":["`+ev+`"]`) {
			t.Errorf("event %s not described: %s", ev, stream)
		}
	}
	if spec.Paths["/v1/events/ticket"]["post"].OperationID != "create-events-ticket" {
		t.Errorf("POST /v1/events/ticket missing")
	}

	for _, path := range []string{"/v1/events?channels=dashboard"} {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		if w.Code != http.StatusUnauthorized || w.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("GET %s through Huma: %d %s", path, w.Code, w.Body)
		}
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest(http.MethodPost, "/v1/events/ticket", nil))
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("POST ticket through Huma: %d %s", w.Code, w.Body)
	}
}

func TestParseChannelsRejectsUnknownAndDedups(t *testing.T) {
	mask, names, err := parseChannels("logs, dashboard,logs")
	if err != nil || mask != 9 || strings.Join(names, ",") != "logs,dashboard" {
		t.Fatalf("got %d %v %v", mask, names, err)
	}
	if _, _, err := parseChannels("logs,nope"); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Fatalf("unknown channel: %v", err)
	}
	if mask, _, _ := parseChannels(""); mask != allChannels {
		t.Fatalf("empty = all, got %d", mask)
	}
}

func TestKeyRoundTripsAndOrders(t *testing.T) {
	k := Key{Txid: 123456789012, Kind: 3, ID: 42}
	got, err := ParseKey(k.String())
	if err != nil || got != k {
		t.Fatalf("%v %v", got, err)
	}
	for _, bad := range []string{"", "1-2", "a-1-1", "1-9-1", "1-1--1", "1-1-1-1"} {
		if _, err := ParseKey(bad); err == nil {
			t.Errorf("ParseKey(%q) accepted", bad)
		}
	}
	if !(Key{1, 4, 9}).Less(Key{2, 1, 1}) || !(Key{2, 1, 9}).Less(Key{2, 2, 1}) || (Key{2, 2, 1}).Less(Key{2, 2, 1}) {
		t.Fatal("Less does not order by txid, kind, id")
	}
}
