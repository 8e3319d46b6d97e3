package telegram_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

const testToken = "123456:AAE-client-test-secret-token-value"

// recorder is a Bot API stand-in that answers each method with a scripted
// body and keeps the form it received.
type recorder struct {
	mu      sync.Mutex
	answers map[string]string
	forms   map[string]map[string]string
	ctype   map[string]string
}

func newRecorder(t *testing.T, answers map[string]string) (*recorder, *httptest.Server) {
	r := &recorder{answers: answers, forms: map[string]map[string]string{}, ctype: map[string]string{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		method := req.URL.Path[strings.LastIndex(req.URL.Path, "/")+1:]
		form := map[string]string{}
		if strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/form-data") {
			if err := req.ParseMultipartForm(1 << 20); err == nil {
				for k, v := range req.MultipartForm.Value {
					form[k] = v[0]
				}
			}
		} else {
			b, _ := io.ReadAll(req.Body)
			form["_body"] = string(b)
		}
		r.mu.Lock()
		r.forms[method], r.ctype[method] = form, req.Header.Get("Content-Type")
		ans, ok := r.answers[method]
		r.mu.Unlock()
		if !ok {
			ans = `{"ok":false,"error_code":404,"description":"Not Found: method not found"}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, ans)
	}))
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *recorder) form(method string) map[string]string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.forms[method]
}

// Plan params reach Telegram through go-telegram/bot with exact chat ids,
// reply_markup as SQL built it (no copy_text added) and results as JSON.
func TestClientSendsPlanParamsThroughTheLibrary(t *testing.T) {
	rec, srv := newRecorder(t, map[string]string{
		"sendMessage":   `{"ok":true,"result":{"message_id":77,"date":1,"chat":{"id":-1001234567890123,"type":"supergroup"}}}`,
		"getChatMember": `{"ok":true,"result":{"status":"restricted","is_member":true,"user":{"id":5,"is_bot":false,"first_name":"A"},"until_date":0,"can_send_messages":false}}`,
	})
	c, err := telegram.NewClient(srv.URL, testToken, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	kb := `{"inline_keyboard":[[{"text":"Join A","url":"https://t.me/a"}],[{"text":"I have joined","callback_data":"nzv:5"}]]}`
	res, err := c.Call(ctx, "sendMessage", json.RawMessage(`{"chat_id":-1001234567890123,"text":"<b>hi</b> & \"you\"","parse_mode":"HTML","reply_markup":`+kb+`}`))
	if err != nil {
		t.Fatal(err)
	}
	var msg struct {
		MessageID int `json:"message_id"`
	}
	if err := json.Unmarshal(res, &msg); err != nil || msg.MessageID != 77 {
		t.Fatalf("result %s", res)
	}
	f := rec.form("sendMessage")
	if f["chat_id"] != "-1001234567890123" || f["text"] != `<b>hi</b> & "you"` || f["parse_mode"] != "HTML" {
		t.Fatalf("form %v", f)
	}
	if f["reply_markup"] != kb {
		t.Fatalf("reply_markup changed on the way:\n got %s\nwant %s", f["reply_markup"], kb)
	}
	if !strings.HasPrefix(rec.ctype["sendMessage"], "multipart/form-data") {
		t.Fatalf("not sent by the library (content type %q)", rec.ctype["sendMessage"])
	}

	res, err = c.Call(ctx, "getChatMember", json.RawMessage(`{"chat_id":"@chan","user_id":5}`))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Status   string `json:"status"`
		IsMember *bool  `json:"is_member"`
	}
	if err := json.Unmarshal(res, &m); err != nil || m.Status != "restricted" || m.IsMember == nil || !*m.IsMember {
		t.Fatalf("getChatMember result %s", res)
	}
	if f := rec.form("getChatMember"); f["chat_id"] != "@chan" || f["user_id"] != "5" {
		t.Fatalf("form %v", f)
	}
}

// A param the library does not model is refused, not silently dropped, and
// an unknown method is refused without a request.
func TestClientRefusesParamsTheLibraryWouldDrop(t *testing.T) {
	rec, srv := newRecorder(t, map[string]string{"deleteMessage": `{"ok":true,"result":true}`})
	c, _ := telegram.NewClient(srv.URL, testToken, srv.Client())
	_, err := c.Call(context.Background(), "deleteMessage", json.RawMessage(`{"chat_id":-1,"message_id":2,"no_such_field":1}`))
	var re *telegram.RequestError
	if !errors.As(err, &re) || !strings.Contains(err.Error(), "no_such_field") {
		t.Fatalf("want a RequestError naming the field, got %v", err)
	}
	if telegram.ErrorType(err) != "bad_request" {
		t.Fatalf("error type %q", telegram.ErrorType(err))
	}
	if rec.form("deleteMessage") != nil {
		t.Fatal("the call was made anyway")
	}
	if _, err := c.Call(context.Background(), "sendDice", nil); !errors.As(err, &re) {
		t.Fatalf("unknown method: %v", err)
	}
}

// Telegram's error answers come back with their code, description,
// retry_after and migrate_to_chat_id, and never with the token.
func TestClientMapsTelegramErrors(t *testing.T) {
	_, srv := newRecorder(t, map[string]string{
		"restrictChatMember":     `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`,
		"sendMessage":            `{"ok":false,"error_code":400,"description":"Bad Request: group chat was upgraded to a supergroup chat","parameters":{"migrate_to_chat_id":-1009}}`,
		"deleteMessage":          `{"ok":false,"error_code":403,"description":"Forbidden: bot was kicked from the supergroup chat"}`,
		"getChat":                `{"ok":false,"error_code":502,"description":"Bad Gateway"}`,
		"approveChatJoinRequest": `{"ok":false,"error_code":400,"description":"Bad Request: USER_ALREADY_PARTICIPANT"}`,
	})
	c, _ := telegram.NewClient(srv.URL, testToken, srv.Client())
	ctx := context.Background()
	cases := []struct {
		method, params string
		code           int
		desc, typ      string
		retry          int
		migrate        int64
	}{
		{"restrictChatMember", `{"chat_id":-1,"user_id":2,"permissions":{"can_send_messages":false}}`, 429, "Too Many Requests: retry after 7", "too_many_requests", 7, 0},
		{"sendMessage", `{"chat_id":-1,"text":"x"}`, 400, "Bad Request: group chat was upgraded to a supergroup chat", "chat_migrated", 0, -1009},
		{"deleteMessage", `{"chat_id":-1,"message_id":2}`, 403, "Forbidden: bot was kicked from the supergroup chat", "bot_kicked", 0, 0},
		{"getChat", `{"chat_id":-1}`, 502, "Bad Gateway", "server_error", 0, 0},
		{"approveChatJoinRequest", `{"chat_id":-1,"user_id":2}`, 400, "Bad Request: USER_ALREADY_PARTICIPANT", "bad_request", 0, 0},
	}
	for _, tc := range cases {
		_, err := c.Call(ctx, tc.method, json.RawMessage(tc.params))
		var ae *telegram.APIError
		if !errors.As(err, &ae) {
			t.Fatalf("%s: want an APIError, got %v", tc.method, err)
		}
		if ae.Code != tc.code || ae.Description != tc.desc || ae.RetryAfter != tc.retry || ae.MigrateTo != tc.migrate {
			t.Errorf("%s: got %+v", tc.method, *ae)
		}
		if got := telegram.ErrorType(err); got != tc.typ {
			t.Errorf("%s: error type %q, want %q", tc.method, got, tc.typ)
		}
	}
	// A server that is gone: a network error whose text has no token.
	srv.Close()
	_, err := c.Call(ctx, "getChat", json.RawMessage(`{"chat_id":-1}`))
	if err == nil || strings.Contains(err.Error(), testToken) || telegram.ErrorType(err) != "network" {
		t.Fatalf("network error %v (type %s)", err, telegram.ErrorType(err))
	}
}
