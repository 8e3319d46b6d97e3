package fakebot

import (
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

type answer struct {
	OK          bool            `json:"ok"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Result      json.RawMessage `json:"result"`
	Parameters  struct {
		RetryAfter int `json:"retry_after"`
	} `json:"parameters"`
}

func post(t *testing.T, s *Server, token, method, body string) (int, answer) {
	t.Helper()
	resp, err := http.Post(s.URL+"/bot"+token+"/"+method, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var a answer
	b, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatalf("%s: %s", method, b)
	}
	return resp.StatusCode, a
}

func world(t *testing.T) (*Server, *Bot) {
	s := New()
	t.Cleanup(s.Close)
	b := s.AddBot("1:T", 1, "b")
	s.AddChat(-100, "supergroup", "G", "")
	s.AddChat(-200, "channel", "C", "c")
	s.SetMember(-100, 1, Member{Status: "administrator", Rights: AdminRights()})
	s.SetMember(-100, 5, Member{Status: "member"})
	return s, b
}

func TestUnknownTokenIs401(t *testing.T) {
	s, _ := world(t)
	code, a := post(t, s, "9:nope", "getMe", "{}")
	if code != 401 || a.Description != "Unauthorized" {
		t.Fatalf("%d %+v", code, a)
	}
}

func TestFormAndMultipartBodiesAreAccepted(t *testing.T) {
	s, _ := world(t)
	resp, err := http.PostForm(s.URL+"/bot1:T/getChatMember", url.Values{"chat_id": {"-100"}, "user_id": {"5"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("urlencoded: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	mw.WriteField("chat_id", "-100")
	mw.WriteField("text", "hi")
	mw.WriteField("reply_markup", `{"inline_keyboard":[[{"text":"x","callback_data":"y"}]]}`)
	mw.Close()
	resp, err = http.Post(s.URL+"/bot1:T/sendMessage", mw.FormDataContentType(), strings.NewReader(buf.String()))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("multipart: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
}

func TestStrictLikeTelegram(t *testing.T) {
	s, _ := world(t)
	cases := []struct{ method, body, want string }{
		{"getChatMember", `{"chat_id": -999, "user_id": 5}`, "Bad Request: chat not found"},
		{"getChatMember", `{"chat_id": -100, "user_id": 424242}`, "Bad Request: user not found"},
		{"getChatMember", `{"chat_id": -200, "user_id": 5}`, "Bad Request: chat not found"},
		{"sendMessage", `{"chat_id": -100, "text": "<b>x", "parse_mode": "HTML"}`, "can't parse entities"},
		{"sendMessage", `{"chat_id": -100, "text": "a & b", "parse_mode": "HTML"}`, "can't parse entities"},
		{"sendMessage", `{"chat_id": -100, "text": "` + strings.Repeat("x", 4097) + `"}`, "message is too long"},
		{"sendMessage", `{"chat_id": -100, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "y", "copy_text": {"text": ""}}]]}}`, "exactly one"},
		{"sendMessage", `{"chat_id": -100, "text": "x", "reply_markup": {"inline_keyboard": [[{"text": "x", "callback_data": "` + strings.Repeat("y", 65) + `"}]]}}`, "BUTTON_DATA_INVALID"},
		{"answerCallbackQuery", `{"callback_query_id": "1", "text": "` + strings.Repeat("x", 201) + `"}`, "MESSAGE_TOO_LONG"},
		{"restrictChatMember", `{"chat_id": -100, "user_id": 5}`, "permissions"},
	}
	for _, c := range cases {
		code, a := post(t, s, "1:T", c.method, c.body)
		if code != 400 || !strings.Contains(a.Description, c.want) {
			t.Errorf("%s %s: %d %q, want 400 %q", c.method, c.body[:min(len(c.body), 60)], code, a.Description, c.want)
		}
	}
	s.SetMember(-100, 1, Member{Status: "administrator"}) // no rights
	code, a := post(t, s, "1:T", "restrictChatMember", `{"chat_id": -100, "user_id": 5, "permissions": {"can_send_messages": false}}`)
	if code != 400 || a.Description != "Bad Request: not enough rights to restrict/unrestrict chat member" {
		t.Fatalf("%d %q", code, a.Description)
	}
	s.SetMember(-100, 1, Member{Status: "kicked"})
	code, a = post(t, s, "1:T", "sendMessage", `{"chat_id": -100, "text": "x"}`)
	if code != 403 || a.Description != "Forbidden: bot was kicked from the supergroup chat" {
		t.Fatalf("%d %q", code, a.Description)
	}
}

func TestInjected429CarriesRetryAfter(t *testing.T) {
	s, _ := world(t)
	s.Inject(Fault{Method: "getMe", Count: 1, Code: 429, RetryAfter: 3})
	code, a := post(t, s, "1:T", "getMe", "{}")
	if code != 429 || a.Parameters.RetryAfter != 3 {
		t.Fatalf("%d %+v", code, a)
	}
	if code, _ := post(t, s, "1:T", "getMe", "{}"); code != 200 {
		t.Fatal("fault not consumed")
	}
}

func TestGetUpdatesOffsetAllowedUpdatesAndConflicts(t *testing.T) {
	s, b := world(t)
	b.Push(map[string]any{"message": map[string]any{"chat": map[string]any{"id": -100}}})
	b.Push(map[string]any{"chat_member": map[string]any{"chat": map[string]any{"id": -100}}})
	b.Push(map[string]any{"chat_member": map[string]any{"chat": map[string]any{"id": -200}}}) // bot not admin there
	var ups []map[string]any
	_, a := post(t, s, "1:T", "getUpdates", `{}`)
	json.Unmarshal(a.Result, &ups)
	if len(ups) != 1 {
		t.Fatalf("default allowed_updates must exclude chat_member: %d", len(ups))
	}
	_, a = post(t, s, "1:T", "getUpdates", `{"allowed_updates": ["message", "chat_member"]}`)
	json.Unmarshal(a.Result, &ups)
	if len(ups) != 2 {
		t.Fatalf("chat_member only where the bot is admin: %d", len(ups))
	}
	_, a = post(t, s, "1:T", "getUpdates", `{"offset": 2, "allowed_updates": ["message", "chat_member"]}`)
	json.Unmarshal(a.Result, &ups)
	if len(ups) != 1 || ups[0]["update_id"].(float64) != 2 {
		t.Fatalf("offset did not confirm update 1: %v", ups)
	}
	// A long poll in flight makes a second one fail with 409.
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); post(t, s, "1:T", "getUpdates", `{"offset": 10, "timeout": 1}`) }()
	time.Sleep(200 * time.Millisecond)
	code, a := post(t, s, "1:T", "getUpdates", `{"offset": 10}`)
	if code != 409 || !strings.Contains(a.Description, "terminated by other getUpdates") {
		t.Fatalf("concurrent getUpdates: %d %q", code, a.Description)
	}
	wg.Wait()
	post(t, s, "1:T", "setWebhook", `{"url": "http://127.0.0.1:1/hook", "secret_token": "abc"}`)
	code, _ = post(t, s, "1:T", "getUpdates", `{}`)
	if code != 409 {
		t.Fatal("getUpdates allowed while a webhook is set")
	}
}

// go-telegram/bot sends getMe as an empty, chunked multipart body; Telegram
// accepts it, so the fake must. A multipart body that is cut short is still
// refused.
func TestEmptyChunkedMultipartGetMeIsAcceptedLikeTelegram(t *testing.T) {
	s := New()
	defer s.Close()
	s.AddBot("1:tok", 1, "b")
	do := func(body io.Reader) int {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/bot1:tok/getMe", body)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=abc")
		req.ContentLength = -1 // chunked
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	pr, pw := io.Pipe()
	go pw.Close() // an empty chunked body
	if code := do(pr); code != 200 {
		t.Errorf("empty multipart getMe = %d, want 200", code)
	}
	if code := do(strings.NewReader("--abc\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated")); code != 400 {
		t.Errorf("truncated multipart = %d, want 400", code)
	}
}
