// Package fakebot is a fake Telegram Bot API server for tests and
// benchmarks: loopback HTTP at /bot<token>/<method>, strict the way the real
// one is (unknown token → 401, missing parameters, unknown chats and users,
// missing admin rights, entity parsing, text and keyboard limits), with
// getUpdates (offset, timeout, allowed_updates, 409 on a concurrent poll or
// while a webhook is set), webhook delivery with the secret header, scripted
// chat members, injectable errors and 429s, and a record of every call.
package fakebot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Member is a chat member as getChatMember returns it.
type Member struct {
	Status   string // creator, administrator, member, restricted, left, kicked
	IsMember bool   // for restricted
	// Rights of an administrator (can_restrict_members, can_delete_messages,
	// can_invite_users, ...); absent means false.
	Rights map[string]bool
	// Permissions of a restricted member, as the last restrictChatMember set them.
	Permissions map[string]any
	UntilDate   int64
}

// Chat is a group, supergroup, channel or private chat.
type Chat struct {
	ID          int64
	Type        string // private, group, supergroup, channel
	Title       string
	Username    string
	Permissions map[string]any // default member permissions (groups)
	Members     map[int64]*Member
	// LinkedChatID is the discussion channel of a group (or the group of a
	// channel), as getChat's linked_chat_id.
	LinkedChatID int64
	// InviteLink is the primary invite link getChat shows to admins.
	InviteLink string
	// IsForum: a supergroup with topics; Topics are its open thread ids.
	// A message sent with message_thread_id needs a forum and that topic.
	IsForum bool
	Topics  map[int64]bool
	// BannedSenderChats: chats banned from writing here (banChatSenderChat).
	BannedSenderChats map[int64]bool
	nextMsgID         int64
	messages          map[int64]bool
}

// Bot is a bot the server knows by its token.
type Bot struct {
	Token    string
	ID       int64
	Username string

	mu            sync.Mutex
	queue         []json.RawMessage // pending updates, in update_id order
	nextUpdateID  int64
	confirmed     int64 // updates with id < confirmed are acknowledged
	polling       bool
	webhookURL    string
	webhookSecret string
	wake          chan struct{}
	delivered     map[int64]time.Time // update_id → first handed out
	redelivered   bool                // queue may be out of order
}

// Call is one recorded API call.
type Call struct {
	Token  string
	Method string
	Params map[string]any
	Status int
	Time   time.Time
	Body   string // the response
}

type slowCall struct {
	method string
	count  int
	delay  time.Duration
}

// Slow makes the next count calls of method take effect at once but answer
// only after delay (as when Telegram is slow, or the answer is lost with a
// client that stops waiting): the call is recorded and carried out either way.
func (s *Server) Slow(method string, count int, delay time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow = append(s.slow, &slowCall{method: method, count: count, delay: delay})
}

func (s *Server) takeSlow(method string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sc := range s.slow {
		if sc.method == method {
			sc.count--
			if sc.count <= 0 {
				s.slow = append(s.slow[:i:i], s.slow[i+1:]...)
			}
			return sc.delay
		}
	}
	return 0
}

// Fault is an injected failure for the next Count calls of Method ("" = any).
type Fault struct {
	Method      string
	Count       int
	Code        int
	Description string
	RetryAfter  int
}

// Server is the fake Bot API.
type Server struct {
	URL string

	mu     sync.Mutex
	slow   []*slowCall
	bots   map[string]*Bot
	chats  map[int64]*Chat
	users  map[int64]map[string]any // known users
	calls  []Call
	faults []*Fault
	hook   func(c Call)
	srv    *http.Server
	ln     net.Listener
	client *http.Client
	closed chan struct{}
}

// New starts a server on a loopback port. Close it when done.
func New() *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("fakebot: listen: %v", err))
	}
	s := &Server{
		bots: map[string]*Bot{}, chats: map[int64]*Chat{}, users: map[int64]map[string]any{},
		ln: ln, URL: "http://" + ln.Addr().String(), closed: make(chan struct{}),
		client: &http.Client{Timeout: 10 * time.Second},
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return s
}

// Close stops the server.
func (s *Server) Close() {
	close(s.closed)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = s.srv.Shutdown(ctx)
}

// AddBot registers a bot token.
func (s *Server) AddBot(token string, id int64, username string) *Bot {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := &Bot{Token: token, ID: id, Username: username, nextUpdateID: 1, wake: make(chan struct{}, 1), delivered: map[int64]time.Time{}}
	s.bots[token] = b
	s.users[id] = map[string]any{"id": id, "is_bot": true, "first_name": username, "username": username}
	return b
}

// AddUser makes a user known (getChatMember on an unknown user fails).
func (s *Server) AddUser(id int64, firstName, username string) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := map[string]any{"id": id, "is_bot": false, "first_name": firstName}
	if username != "" {
		u["username"] = username
	}
	s.users[id] = u
	return u
}

// AddChat creates a chat. Groups get the usual default permissions.
func (s *Server) AddChat(id int64, typ, title, username string) *Chat {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Chat{ID: id, Type: typ, Title: title, Username: username, Members: map[int64]*Member{}, nextMsgID: 1000, messages: map[int64]bool{}}
	if typ == "group" || typ == "supergroup" {
		c.Permissions = map[string]any{"can_send_messages": true, "can_send_audios": true, "can_send_documents": true,
			"can_send_photos": true, "can_send_videos": true, "can_send_video_notes": true, "can_send_voice_notes": true,
			"can_send_polls": true, "can_send_other_messages": true, "can_add_web_page_previews": true,
			"can_change_info": false, "can_invite_users": true, "can_pin_messages": false, "can_manage_topics": false}
	}
	s.chats[id] = c
	return c
}

// UpdateChat changes a chat's scripted facts (forum topics, linked chat,
// invite link) under the server's lock.
func (s *Server) UpdateChat(chatID int64, f func(c *Chat)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		panic(fmt.Sprintf("fakebot: UpdateChat on unknown chat %d", chatID))
	}
	f(c)
}

// SenderChatBanned says whether banChatSenderChat banned sender in chat.
func (s *Server) SenderChatBanned(chatID, sender int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	return c != nil && c.BannedSenderChats[sender]
}

// SetMember scripts what getChatMember answers for (chat, user).
func (s *Server) SetMember(chatID, userID int64, m Member) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	if c == nil {
		panic(fmt.Sprintf("fakebot: SetMember on unknown chat %d", chatID))
	}
	mm := m
	c.Members[userID] = &mm
	if _, ok := s.users[userID]; !ok {
		s.users[userID] = map[string]any{"id": userID, "is_bot": false, "first_name": fmt.Sprintf("U%d", userID)}
	}
}

// AdminRights is the usual set of rights a protecting bot has.
func AdminRights() map[string]bool {
	return map[string]bool{"can_restrict_members": true, "can_delete_messages": true, "can_invite_users": true,
		"can_manage_chat": true, "can_pin_messages": true}
}

// MemberOf returns the scripted member (nil when none).
func (s *Server) MemberOf(chatID, userID int64) *Member {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.chats[chatID]; c != nil {
		if m := c.Members[userID]; m != nil {
			mm := *m
			return &mm
		}
	}
	return nil
}

// Inject makes the next f.Count calls of f.Method fail as described.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ff := f
	s.faults = append(s.faults, &ff)
}

// OnCall sets a hook run (outside the lock) after every call.
func (s *Server) OnCall(h func(c Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// Calls returns the calls recorded so far (optionally only of method).
func (s *Server) Calls(method string) []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Call
	for _, c := range s.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// ResetCalls forgets the recorded calls and delivery times (long runs).
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
	for _, b := range s.bots {
		b.mu.Lock()
		b.delivered = map[int64]time.Time{}
		b.mu.Unlock()
	}
}

// PushRaw queues an update given as raw JSON; update_id is not touched.
func (b *Bot) PushRaw(raw string) {
	b.mu.Lock()
	b.redelivered = true
	b.queue = append(b.queue, json.RawMessage(raw))
	b.mu.Unlock()
	b.signal()
}

// Push queues an update (a map without update_id: one is assigned) and
// returns its update_id.
func (b *Bot) Push(u map[string]any) int64 {
	b.mu.Lock()
	id := b.nextUpdateID
	b.nextUpdateID++
	u["update_id"] = id
	raw, _ := json.Marshal(u)
	b.queue = append(b.queue, raw)
	b.mu.Unlock()
	b.signal()
	return id
}

// Pending is the number of updates not yet acknowledged.
func (b *Bot) Pending() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// DeliveredAt is when the update was first handed out (zero if not yet).
func (b *Bot) DeliveredAt(updateID int64) time.Time {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.delivered[updateID]
}

// Redeliver puts an already acknowledged update back in the queue, as
// Telegram does when it is unsure the bot got it.
func (b *Bot) Redeliver(raw string) { b.PushRaw(raw) }

func (b *Bot) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Webhook reports the webhook URL and secret set by setWebhook.
func (b *Bot) Webhook() (string, string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.webhookURL, b.webhookSecret
}

// DeliverWebhook POSTs every pending update to the bot's webhook (URL and
// secret from setWebhook, or given here), removing those answered 2xx.
// It returns the HTTP status of each attempt.
func (s *Server) DeliverWebhook(b *Bot, urlOverride, secretOverride string) ([]int, error) {
	b.mu.Lock()
	u, sec := b.webhookURL, b.webhookSecret
	pending := append([]json.RawMessage(nil), b.queue...)
	b.mu.Unlock()
	if urlOverride != "" {
		u, sec = urlOverride, secretOverride
	}
	if u == "" {
		return nil, fmt.Errorf("fakebot: no webhook set")
	}
	var codes []int
	for _, raw := range pending {
		req, _ := http.NewRequest(http.MethodPost, u, bytes.NewReader(raw))
		req.Header.Set("Content-Type", "application/json")
		if sec != "" {
			req.Header.Set("X-Telegram-Bot-Api-Secret-Token", sec)
		}
		resp, err := s.client.Do(req)
		if err != nil {
			return codes, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode/100 == 2 {
			b.mu.Lock()
			for i, q := range b.queue {
				if bytes.Equal(q, raw) {
					b.queue = append(b.queue[:i:i], b.queue[i+1:]...)
					break
				}
			}
			b.mu.Unlock()
		} else {
			break // Telegram retries the same update later, in order
		}
	}
	return codes, nil
}

var pathRe = regexp.MustCompile(`^/bot([^/]+)/([A-Za-z]+)$`)

type apiError struct {
	code       int
	desc       string
	retryAfter int
}

func bad(desc string) *apiError { return &apiError{code: 400, desc: "Bad Request: " + desc} }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	m := pathRe.FindStringSubmatch(r.URL.Path)
	if m == nil {
		writeJSON(w, 404, map[string]any{"ok": false, "error_code": 404, "description": "Not Found"})
		return
	}
	token, method := m[1], m[2]
	params, perr := parseParams(r)
	call := Call{Token: token, Method: method, Params: params, Time: time.Now()}
	var result any
	var aerr *apiError
	s.mu.Lock()
	b := s.bots[token]
	switch {
	case b == nil:
		aerr = &apiError{code: 401, desc: "Unauthorized"}
	case perr != nil:
		aerr = bad(perr.Error())
	default:
		if f := s.takeFault(method); f != nil {
			aerr = f
		}
	}
	s.mu.Unlock()
	if aerr == nil {
		if method == "getUpdates" {
			result, aerr = s.getUpdates(r.Context(), b, params)
		} else {
			s.mu.Lock()
			result, aerr = s.dispatch(b, method, params)
			s.mu.Unlock()
		}
	}
	var body map[string]any
	status := 200
	if aerr != nil {
		status = aerr.code
		body = map[string]any{"ok": false, "error_code": aerr.code, "description": aerr.desc}
		if aerr.retryAfter > 0 {
			body["parameters"] = map[string]any{"retry_after": aerr.retryAfter}
		}
	} else {
		body = map[string]any{"ok": true, "result": result}
	}
	raw, _ := json.Marshal(body)
	call.Status = status
	call.Body = string(raw)
	s.mu.Lock()
	s.calls = append(s.calls, call)
	hook := s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(call)
	}
	if d := s.takeSlow(method); d > 0 {
		select {
		case <-time.After(d):
		case <-s.closed:
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(raw)
}

func (s *Server) takeFault(method string) *apiError {
	for i, f := range s.faults {
		if f.Method == "" || f.Method == method {
			f.Count--
			if f.Count <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
			desc := f.Description
			if desc == "" && f.Code == 429 {
				desc = fmt.Sprintf("Too Many Requests: retry after %d", f.RetryAfter)
			}
			return &apiError{code: f.Code, desc: desc, retryAfter: f.RetryAfter}
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// parseParams reads JSON, urlencoded or multipart bodies, and the query
// string. Values of form fields that hold JSON objects or arrays are
// decoded, as Telegram does.
func parseParams(r *http.Request) (map[string]any, error) {
	out := map[string]any{}
	for k, v := range r.URL.Query() {
		out[k] = formValue(v[0])
	}
	if r.Body == nil {
		return out, nil
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var m map[string]any
		dec := json.NewDecoder(r.Body)
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil && err != io.EOF {
			return out, fmt.Errorf("can't parse JSON body")
		}
		for k, v := range m {
			out[k] = v
		}
	case "application/x-www-form-urlencoded":
		if err := r.ParseForm(); err != nil {
			return out, fmt.Errorf("can't parse form body")
		}
		for k, v := range r.PostForm {
			out[k] = formValue(v[0])
		}
	case "multipart/form-data":
		// An empty multipart body (go-telegram/bot's getMe sends one,
		// chunked) holds no parameters; Telegram accepts it.
		if err := r.ParseMultipartForm(10 << 20); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return out, fmt.Errorf("can't parse multipart body")
		}
		for k, v := range r.MultipartForm.Value {
			out[k] = formValue(v[0])
		}
		_ = multipart.ErrMessageTooLarge
	}
	return out, nil
}

// formValue reads a form field as Telegram does: JSON objects and arrays
// are decoded, "true" and "false" are booleans, the rest stays a string
// (numbers are parsed where a method expects one).
func formValue(v string) any {
	switch v {
	case "true":
		return true
	case "false":
		return false
	}
	t := strings.TrimSpace(v)
	if strings.HasPrefix(t, "{") || strings.HasPrefix(t, "[") {
		var x any
		dec := json.NewDecoder(strings.NewReader(t))
		dec.UseNumber()
		if dec.Decode(&x) == nil {
			return x
		}
	}
	return v
}

func str(p map[string]any, k string) (string, bool) {
	v, ok := p[k]
	if !ok || v == nil {
		return "", false
	}
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	raw, _ := json.Marshal(v)
	return string(raw), true
}

func integer(p map[string]any, k string) (int64, bool, *apiError) {
	sv, ok := str(p, k)
	if !ok {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(sv, 10, 64)
	if err != nil {
		return 0, true, bad(fmt.Sprintf("invalid %s specified", k))
	}
	return n, true, nil
}

func (s *Server) chatParam(p map[string]any) (*Chat, *apiError) {
	sv, ok := str(p, "chat_id")
	if !ok || sv == "" {
		return nil, bad("chat_id is empty")
	}
	if strings.HasPrefix(sv, "@") {
		for _, c := range s.chats {
			if c.Username != "" && strings.EqualFold("@"+c.Username, sv) {
				return c, nil
			}
		}
		return nil, bad("chat not found")
	}
	id, err := strconv.ParseInt(sv, 10, 64)
	if err != nil {
		return nil, bad("chat not found")
	}
	c := s.chats[id]
	if c == nil {
		return nil, bad("chat not found")
	}
	return c, nil
}

// access fails like Telegram when the bot is not (or no longer) in the chat.
func (s *Server) access(b *Bot, c *Chat) *apiError {
	m := c.Members[b.ID]
	if c.Type == "private" {
		return nil
	}
	if m == nil || m.Status == "left" {
		if c.Type == "channel" {
			return bad("chat not found")
		}
		return &apiError{code: 403, desc: "Forbidden: bot is not a member of the " + c.Type + " chat"}
	}
	if m.Status == "kicked" {
		return &apiError{code: 403, desc: "Forbidden: bot was kicked from the " + c.Type + " chat"}
	}
	return nil
}

func (s *Server) isAdmin(b *Bot, c *Chat, right string) bool {
	m := c.Members[b.ID]
	if m == nil {
		return false
	}
	if m.Status == "creator" {
		return true
	}
	return m.Status == "administrator" && (right == "" || m.Rights[right])
}

func (s *Server) userParam(p map[string]any) (int64, *apiError) {
	id, ok, e := integer(p, "user_id")
	if e != nil {
		return 0, e
	}
	if !ok {
		return 0, bad("user_id is empty")
	}
	if _, known := s.users[id]; !known {
		return 0, bad("user not found")
	}
	return id, nil
}

func (s *Server) memberJSON(c *Chat, uid int64) map[string]any {
	u := s.users[uid]
	m := c.Members[uid]
	out := map[string]any{"user": u}
	if m == nil {
		out["status"] = "left"
		return out
	}
	out["status"] = m.Status
	switch m.Status {
	case "administrator":
		for k, v := range m.Rights {
			out[k] = v
		}
		out["can_be_edited"] = false
		out["is_anonymous"] = false
	case "creator":
		out["is_anonymous"] = false
	case "restricted":
		out["is_member"] = m.IsMember
		for k, v := range m.Permissions {
			out[k] = v
		}
		out["until_date"] = m.UntilDate
	case "kicked":
		out["until_date"] = m.UntilDate
	}
	return out
}

func (s *Server) chatJSON(c *Chat) map[string]any {
	out := map[string]any{"id": c.ID, "type": c.Type}
	if c.Title != "" {
		out["title"] = c.Title
	}
	if c.Username != "" {
		out["username"] = c.Username
	}
	return out
}

// dispatch runs one method with s.mu held.
func (s *Server) dispatch(b *Bot, method string, p map[string]any) (any, *apiError) {
	switch method {
	case "getMe":
		return map[string]any{"id": b.ID, "is_bot": true, "first_name": b.Username, "username": b.Username,
			"can_join_groups": true, "can_read_all_group_messages": false, "supports_inline_queries": false}, nil
	case "setWebhook":
		u, ok := str(p, "url")
		if !ok {
			return nil, bad("url is empty")
		}
		sec, _ := str(p, "secret_token")
		if sec != "" && !regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`).MatchString(sec) {
			return nil, bad("secret token contains unallowed characters")
		}
		b.mu.Lock()
		b.webhookURL, b.webhookSecret = u, sec
		b.mu.Unlock()
		return true, nil
	case "deleteWebhook":
		b.mu.Lock()
		b.webhookURL, b.webhookSecret = "", ""
		if dp, _ := str(p, "drop_pending_updates"); dp == "true" {
			b.queue = nil
		}
		b.mu.Unlock()
		return true, nil
	case "getWebhookInfo":
		b.mu.Lock()
		defer b.mu.Unlock()
		return map[string]any{"url": b.webhookURL, "has_custom_certificate": false, "pending_update_count": len(b.queue)}, nil
	case "getChat":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		// public channels and groups can be looked up by anyone
		if c.Username == "" {
			if e := s.access(b, c); e != nil {
				return nil, e
			}
		}
		out := s.chatJSON(c)
		if c.Permissions != nil {
			out["permissions"] = c.Permissions
		}
		if c.LinkedChatID != 0 {
			out["linked_chat_id"] = c.LinkedChatID
		}
		if c.IsForum {
			out["is_forum"] = true
		}
		if c.InviteLink != "" && s.isAdmin(b, c, "") {
			out["invite_link"] = c.InviteLink
		}
		return out, nil
	case "getChatMember":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		if e := s.access(b, c); e != nil {
			return nil, e
		}
		uid, e := s.userParam(p)
		if e != nil {
			return nil, e
		}
		if c.Type == "channel" && !s.isAdmin(b, c, "") {
			return nil, bad("member list is inaccessible")
		}
		return s.memberJSON(c, uid), nil
	case "getChatMemberCount":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		n := 0
		for _, m := range c.Members {
			if m.Status != "left" && m.Status != "kicked" {
				n++
			}
		}
		return n, nil
	case "sendMessage", "editMessageText":
		return s.sendMessage(b, method, p)
	case "deleteMessage":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		if e := s.access(b, c); e != nil {
			return nil, e
		}
		mid, ok, e := integer(p, "message_id")
		if e != nil {
			return nil, e
		}
		if !ok {
			return nil, bad("message_id is empty")
		}
		if !c.messages[mid] {
			return nil, bad("message to delete not found")
		}
		if !s.isAdmin(b, c, "can_delete_messages") {
			// bots may always delete their own messages; we do not track authors
			return nil, bad("message can't be deleted")
		}
		delete(c.messages, mid)
		return true, nil
	case "restrictChatMember":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		if e := s.access(b, c); e != nil {
			return nil, e
		}
		if c.Type != "supergroup" {
			return nil, bad("method is available only for supergroups")
		}
		uid, e := s.userParam(p)
		if e != nil {
			return nil, e
		}
		perms, ok := p["permissions"].(map[string]any)
		if !ok {
			return nil, bad("field \"permissions\" must be of type Object")
		}
		if !s.isAdmin(b, c, "can_restrict_members") {
			return nil, bad("not enough rights to restrict/unrestrict chat member")
		}
		m := c.Members[uid]
		if m != nil && (m.Status == "creator" || m.Status == "administrator") {
			return nil, bad("can't remove chat owner")
		}
		if uid == b.ID {
			return nil, bad("can't restrict self")
		}
		until, _, _ := integer(p, "until_date")
		allTrue, same := true, true
		for k, v := range c.Permissions {
			pv, _ := perms[k].(bool)
			if pv != v.(bool) {
				same = false
			}
			if !pv && strings.HasPrefix(k, "can_send") {
				allTrue = false
			}
		}
		_ = allTrue
		isMember := m == nil || m.Status == "member" || (m.Status == "restricted" && m.IsMember)
		if m != nil && (m.Status == "left" || m.Status == "kicked") {
			isMember = false
		}
		if same {
			// permissions equal to the chat's defaults lift the restriction
			if isMember {
				c.Members[uid] = &Member{Status: "member"}
			} else {
				c.Members[uid] = &Member{Status: "left"}
			}
		} else {
			c.Members[uid] = &Member{Status: "restricted", IsMember: isMember, Permissions: perms, UntilDate: until}
		}
		return true, nil
	case "banChatMember", "unbanChatMember":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		if e := s.access(b, c); e != nil {
			return nil, e
		}
		uid, e := s.userParam(p)
		if e != nil {
			return nil, e
		}
		if !s.isAdmin(b, c, "can_restrict_members") {
			return nil, bad("not enough rights to restrict/unrestrict chat member")
		}
		if method == "banChatMember" {
			c.Members[uid] = &Member{Status: "kicked"}
		} else if m := c.Members[uid]; m != nil && m.Status == "kicked" {
			c.Members[uid] = &Member{Status: "left"}
		}
		return true, nil
	case "banChatSenderChat":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		if e := s.access(b, c); e != nil {
			return nil, e
		}
		sender, ok, e := integer(p, "sender_chat_id")
		if e != nil {
			return nil, e
		}
		if !ok || sender == 0 {
			return nil, bad("sender_chat_id is empty")
		}
		if !s.isAdmin(b, c, "can_restrict_members") {
			return nil, bad("not enough rights to ban chat")
		}
		if c.BannedSenderChats == nil {
			c.BannedSenderChats = map[int64]bool{}
		}
		c.BannedSenderChats[sender] = true
		return true, nil
	case "approveChatJoinRequest", "declineChatJoinRequest":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		if e := s.access(b, c); e != nil {
			return nil, e
		}
		uid, e := s.userParam(p)
		if e != nil {
			return nil, e
		}
		if !s.isAdmin(b, c, "can_invite_users") {
			return nil, bad("not enough rights to manage join requests")
		}
		if method == "approveChatJoinRequest" {
			c.Members[uid] = &Member{Status: "member"}
		}
		return true, nil
	case "answerCallbackQuery":
		id, ok := str(p, "callback_query_id")
		if !ok || id == "" {
			return nil, bad("callback_query_id is empty")
		}
		if t, _ := str(p, "text"); len([]rune(t)) > 200 {
			return nil, bad("MESSAGE_TOO_LONG")
		}
		return true, nil
	case "leaveChat":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		c.Members[b.ID] = &Member{Status: "left"}
		return true, nil
	case "getChatAdministrators":
		c, e := s.chatParam(p)
		if e != nil {
			return nil, e
		}
		var out []any
		for uid, m := range c.Members {
			if m.Status == "creator" || m.Status == "administrator" {
				out = append(out, s.memberJSON(c, uid))
			}
		}
		return out, nil
	}
	return nil, &apiError{code: 404, desc: "Not Found: method not found"}
}

var tagRe = regexp.MustCompile(`<(/?)([a-zA-Z-]+)[^>]*>`)

// checkHTML mimics Telegram's HTML entity parser: only known tags, properly
// nested, and no bare '<' or '&' that is not an entity.
func checkHTML(t string) error {
	allowed := map[string]bool{"b": true, "strong": true, "i": true, "em": true, "u": true, "ins": true, "s": true,
		"strike": true, "del": true, "a": true, "code": true, "pre": true, "tg-spoiler": true, "span": true,
		"blockquote": true, "tg-emoji": true}
	var stack []string
	rest := t
	for {
		i := strings.IndexAny(rest, "<&")
		if i < 0 {
			break
		}
		rest = rest[i:]
		if rest[0] == '&' {
			j := strings.IndexByte(rest, ';')
			if j < 0 || !regexp.MustCompile(`^&(lt|gt|amp|quot|#[0-9]+|#x[0-9a-fA-F]+);`).MatchString(rest[:j+1]) {
				return fmt.Errorf("can't parse entities: Character '&' is reserved and must be escaped")
			}
			rest = rest[j+1:]
			continue
		}
		m := tagRe.FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return fmt.Errorf("can't parse entities: Unsupported start tag at byte offset %d", len(t)-len(rest))
		}
		closing, name := rest[m[2]:m[3]] == "/", strings.ToLower(rest[m[4]:m[5]])
		if !allowed[name] {
			return fmt.Errorf("can't parse entities: Unsupported start tag \"%s\"", name)
		}
		if closing {
			if len(stack) == 0 || stack[len(stack)-1] != name {
				return fmt.Errorf("can't parse entities: Unmatched end tag \"%s\"", name)
			}
			stack = stack[:len(stack)-1]
		} else {
			stack = append(stack, name)
		}
		rest = rest[m[1]:]
	}
	if len(stack) > 0 {
		return fmt.Errorf("can't parse entities: Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1])
	}
	return nil
}

// checkMarkup validates an inline keyboard the way Telegram does.
func checkMarkup(v any) *apiError {
	m, ok := v.(map[string]any)
	if !ok {
		return bad("can't parse reply keyboard markup JSON object")
	}
	kb, ok := m["inline_keyboard"]
	if !ok {
		return nil // other keyboards are not checked
	}
	rows, ok := kb.([]any)
	if !ok {
		return bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array")
	}
	for _, r := range rows {
		row, ok := r.([]any)
		if !ok {
			return bad("field \"inline_keyboard\" of the InlineKeyboardMarkup must be an Array of Arrays")
		}
		for _, bt := range row {
			btn, ok := bt.(map[string]any)
			if !ok {
				return bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
			}
			if t, _ := btn["text"].(string); t == "" {
				return bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			kinds := 0
			for _, k := range []string{"url", "callback_data", "login_url", "switch_inline_query", "switch_inline_query_current_chat", "callback_game", "pay", "web_app", "copy_text"} {
				if _, ok := btn[k]; ok {
					kinds++
				}
			}
			if kinds != 1 {
				return bad("can't parse inline keyboard button: exactly one of the optional fields must be used")
			}
			if cd, ok := btn["callback_data"].(string); ok && (len(cd) == 0 || len(cd) > 64) {
				return bad("BUTTON_DATA_INVALID")
			}
			if u, ok := btn["url"].(string); ok {
				pu, err := url.Parse(u)
				if err != nil || (pu.Scheme != "https" && pu.Scheme != "http" && pu.Scheme != "tg") {
					return bad("BUTTON_URL_INVALID")
				}
			}
			if ct, ok := btn["copy_text"].(map[string]any); ok {
				if t, _ := ct["text"].(string); t == "" {
					return bad("can't parse inline keyboard button: copy_text text must be non-empty")
				}
			}
		}
	}
	return nil
}

func (s *Server) sendMessage(b *Bot, method string, p map[string]any) (any, *apiError) {
	c, e := s.chatParam(p)
	if e != nil {
		return nil, e
	}
	if e := s.access(b, c); e != nil {
		return nil, e
	}
	text, ok := str(p, "text")
	if !ok || strings.TrimSpace(text) == "" {
		return nil, bad("message text is empty")
	}
	if len([]rune(text)) > 4096 {
		return nil, bad("message is too long")
	}
	if pm, _ := str(p, "parse_mode"); strings.EqualFold(pm, "HTML") {
		if err := checkHTML(text); err != nil {
			return nil, bad(err.Error())
		}
	}
	if rm, ok := p["reply_markup"]; ok {
		if e := checkMarkup(rm); e != nil {
			return nil, e
		}
	}
	if c.Type != "private" && c.Type != "channel" {
		if m := c.Members[b.ID]; m != nil && m.Status == "restricted" {
			return nil, bad("not enough rights to send text messages to the chat")
		}
	}
	thread, hasThread, e := integer(p, "message_thread_id")
	if e != nil {
		return nil, e
	}
	if hasThread && thread != 0 && (!c.IsForum || !c.Topics[thread]) {
		return nil, bad("message thread not found")
	}
	var mid int64
	if method == "editMessageText" {
		id, ok, e := integer(p, "message_id")
		if e != nil {
			return nil, e
		}
		if !ok || !c.messages[id] {
			return nil, bad("message to edit not found")
		}
		mid = id
	} else {
		c.nextMsgID++
		mid = c.nextMsgID
		c.messages[mid] = true
	}
	out := map[string]any{"message_id": mid, "date": time.Now().Unix(), "chat": s.chatJSON(c), "text": text,
		"from": s.users[b.ID]}
	if hasThread && thread != 0 {
		out["message_thread_id"] = thread
		out["is_topic_message"] = true
	}
	if rm, ok := p["reply_markup"]; ok {
		out["reply_markup"] = rm
	}
	return out, nil
}

// NewMessageID records a message (sent by a user) so that deleteMessage on
// it succeeds, and returns its id.
func (s *Server) NewMessageID(chatID int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	c.nextMsgID++
	c.messages[c.nextMsgID] = true
	return c.nextMsgID
}

// MessageExists tells whether a message is still in the chat.
func (s *Server) MessageExists(chatID, messageID int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.chats[chatID]
	return c != nil && c.messages[messageID]
}

func (s *Server) getUpdates(ctx context.Context, b *Bot, p map[string]any) (any, *apiError) {
	b.mu.Lock()
	if b.webhookURL != "" {
		b.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"}
	}
	if b.polling {
		b.mu.Unlock()
		return nil, &apiError{code: 409, desc: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"}
	}
	b.polling = true
	b.mu.Unlock()
	defer func() { b.mu.Lock(); b.polling = false; b.mu.Unlock() }()

	offset, _, e := integer(p, "offset")
	if e != nil {
		return nil, e
	}
	limit, ok, e := integer(p, "limit")
	if e != nil {
		return nil, e
	}
	if !ok || limit <= 0 || limit > 100 {
		limit = 100
	}
	timeout, _, e := integer(p, "timeout")
	if e != nil {
		return nil, e
	}
	allowed := map[string]bool{}
	if a, ok := p["allowed_updates"].([]any); ok {
		for _, x := range a {
			if s, ok := x.(string); ok {
				allowed[s] = true
			}
		}
	}
	deadline := time.Now().Add(time.Duration(timeout) * time.Second)
	for {
		s.mu.Lock()
		adminOf := map[int64]bool{}
		for id, c := range s.chats {
			if s.isAdmin(b, c, "") {
				adminOf[id] = true
			}
		}
		s.mu.Unlock()
		b.mu.Lock()
		if offset > 0 {
			// confirm everything below offset (the queue is in update_id
			// order, except redeliveries and malformed updates at its end)
			i := 0
			for i < len(b.queue) && updateID(b.queue[i]) < offset {
				i++
			}
			keep := b.queue[i:]
			if b.redelivered {
				keep = nil
				for _, raw := range b.queue {
					if updateID(raw) >= offset {
						keep = append(keep, raw)
					}
				}
				b.redelivered = false
			}
			b.queue = keep
		}
		var out []json.RawMessage
		for _, raw := range b.queue {
			if int64(len(out)) >= limit {
				break
			}
			if !deliverable(raw, allowed, adminOf) {
				continue
			}
			out = append(out, raw)
			if id := updateID(raw); id >= 0 {
				if _, seen := b.delivered[id]; !seen {
					b.delivered[id] = time.Now()
				}
			}
		}
		b.mu.Unlock()
		if len(out) > 0 || !time.Now().Before(deadline) {
			if out == nil {
				out = []json.RawMessage{}
			}
			return out, nil
		}
		select {
		case <-b.wake:
		case <-time.After(time.Until(deadline)):
		case <-ctx.Done():
			return []json.RawMessage{}, nil
		case <-s.closed:
			return []json.RawMessage{}, nil
		}
	}
}

// deliverable applies allowed_updates: chat_member only when asked for AND
// the bot is an administrator of the chat, like Telegram. The default set
// (empty allowed_updates) excludes chat_member, as Telegram's does.
func deliverable(raw json.RawMessage, allowed map[string]bool, adminOf map[int64]bool) bool {
	var u map[string]json.RawMessage
	if json.Unmarshal(raw, &u) != nil {
		return true // malformed updates are delivered as they are
	}
	for k, v := range u {
		if k == "update_id" {
			continue
		}
		if len(allowed) > 0 && !allowed[k] {
			return false
		}
		if k == "chat_member" {
			if len(allowed) == 0 {
				return false
			}
			var cm struct {
				Chat struct {
					ID int64 `json:"id"`
				} `json:"chat"`
			}
			json.Unmarshal(v, &cm)
			return adminOf[cm.Chat.ID]
		}
	}
	return true
}

func updateID(raw json.RawMessage) int64 {
	var u struct {
		UpdateID *int64 `json:"update_id"`
	}
	if json.Unmarshal(raw, &u) != nil || u.UpdateID == nil {
		return -1
	}
	return *u.UpdateID
}
