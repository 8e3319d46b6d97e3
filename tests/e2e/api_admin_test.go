package e2e

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fernet/fernet-go"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// Each mutation through the API leaves one audit row naming the caller
// (token, ip, user agent) with old and new values and no secrets; a direct
// SQL change is audited with no admin.
func TestEveryMutationIsAuditedWithTheCallerAndNoSecrets(t *testing.T) {
	f := newAPI(t)
	f.exec(t, `insert into nezuko.protected_groups (group_id, title) values (-1001, 'G')`)
	f.exec(t, `insert into nezuko.bot_instances (bot_user_id, username, token_encrypted, token_sha256)
		values (9, 'b', 'secret-ciphertext', sha256('t'))`)
	f.exec(t, `delete from nezuko.admin_audit_log`)
	calls := []struct {
		fn       string
		body     string
		resource string
		action   string
	}{
		{"update_group", `{"p_group_id": -1001, "p_params": {"mode": "mute"}}`, "protected_groups", "update"},
		{"link_channel", `{"p_group_id": -1001, "p_channel_id": -2002}`, "group_channel_links", "insert"},
		{"unlink_channel", `{"p_group_id": -1001, "p_channel_id": -2002}`, "group_channel_links", "delete"},
		{"update_config", `{"p_key": "heartbeat_interval_seconds", "p_value": 45}`, "admin_config", "update"},
		{"create_admin_user", `{"p_email": "ann@example.com", "p_password": "a long enough password", "p_role": "admin"}`, "admin_users", "insert"},
		{"set_bot_active", `{"p_bot_id": 1, "p_active": false}`, "bot_instances", "update"},
	}
	for _, c := range calls {
		before := f.count(t, `select count(*) from nezuko.admin_audit_log where resource_type = $1 and action = $2`, c.resource, c.action)
		r := f.do(t, http.MethodPost, "/v1/rpc/"+c.fn, f.admin, strings.NewReader(c.body), "User-Agent", "audit-test/1.0")
		if r.code != http.StatusOK {
			t.Fatalf("%s: %d %s", c.fn, r.code, r.body)
		}
		var row struct {
			TokenID   *int64
			IP, UA    *string
			Old, New  *string
			AdminUser *int64
		}
		err := f.conn.QueryRow(context.Background(), `select api_token_id, host(ip), user_agent, old_value::text, new_value::text, admin_user_id
			from nezuko.admin_audit_log where resource_type = $1 and action = $2 order by id desc limit 1`, c.resource, c.action).
			Scan(&row.TokenID, &row.IP, &row.UA, &row.Old, &row.New, &row.AdminUser)
		if err != nil {
			t.Fatalf("%s: no audit row for %s %s: %v", c.fn, c.action, c.resource, err)
		}
		after := f.count(t, `select count(*) from nezuko.admin_audit_log where resource_type = $1 and action = $2`, c.resource, c.action)
		if after != before+1 {
			t.Errorf("%s: %d audit rows for %s %s, want 1", c.fn, after-before, c.action, c.resource)
		}
		if row.TokenID == nil || row.IP == nil || *row.IP != "127.0.0.1" || row.UA == nil || *row.UA != "audit-test/1.0" {
			t.Errorf("%s: audit row lacks the caller: token %v ip %v ua %v", c.fn, row.TokenID, row.IP, row.UA)
		}
		for _, v := range []*string{row.Old, row.New} {
			if v != nil && (strings.Contains(*v, "password_hash") || strings.Contains(*v, "token_encrypted") ||
				strings.Contains(*v, "token_sha256") || strings.Contains(*v, "secret-ciphertext")) {
				t.Errorf("%s: audit row holds a secret: %s", c.fn, *v)
			}
		}
		if c.action == "update" && (row.Old == nil || row.New == nil || *row.Old == *row.New) {
			t.Errorf("%s: update audit without old and new values", c.fn)
		}
	}
	// A DBA's change by hand is audited with no admin and no token.
	f.exec(t, `update nezuko.admin_config set value = '50' where key = 'heartbeat_interval_seconds'`)
	if n := f.count(t, `select count(*) from nezuko.admin_audit_log where resource_type = 'admin_config'
		and api_token_id is null and admin_user_id is null and new_value->>'value' = '50'`); n != 1 {
		t.Errorf("direct SQL change audited %d times with no admin, want 1", n)
	}
	// The audit log is readable through the API, filtered and paginated.
	r := f.get(t, "/v1/rpc/list_audit_log?p_resource_type=admin_config&p_limit=1", f.viewer)
	var page struct {
		Total int               `json:"total"`
		Items []json.RawMessage `json:"items"`
	}
	if r.code != 200 || json.Unmarshal([]byte(r.body), &page) != nil || page.Total != 2 || len(page.Items) != 1 {
		t.Errorf("list_audit_log = %d %s, want total 2 with 1 item", r.code, r.body)
	}
}

func TestLoginIssuesAnExpiringTokenAndLogoutRevokesIt(t *testing.T) {
	f := newAPI(t)
	f.exec(t, `update nezuko.admin_config set value = '2' where key = 'login_token_ttl_hours'`)
	r := f.post(t, "/v1/rpc/create_admin_user", f.admin, map[string]any{
		"p_email": "Vera@Example.com", "p_password": "ten chars or more", "p_role": "viewer"})
	if r.code != 200 || strings.Contains(r.body, "password") {
		t.Fatalf("create_admin_user = %d %s (must not echo the password or its hash)", r.code, r.body)
	}
	f.post(t, "/v1/auth/login", "", map[string]any{"email": "vera@example.com", "password": "wrong password"}).problem(t, http.StatusUnauthorized)
	f.post(t, "/v1/auth/login", "", map[string]any{"email": "nobody@example.com", "password": "ten chars or more"}).problem(t, http.StatusUnauthorized)
	f.post(t, "/v1/auth/login", "", `{"email": "x"`).problem(t, http.StatusBadRequest)
	r = f.post(t, "/v1/auth/login", "", map[string]any{"email": "vera@example.com", "password": "ten chars or more"})
	var login struct {
		Token     string    `json:"token"`
		Role      string    `json:"role"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if r.code != 200 || json.Unmarshal([]byte(r.body), &login) != nil || login.Token == "" || login.Role != "viewer" {
		t.Fatalf("login = %d %s", r.code, r.body)
	}
	if d := time.Until(login.ExpiresAt); d < 110*time.Minute || d > 121*time.Minute {
		t.Errorf("login token expires in %v, want about 2h (login_token_ttl_hours)", d)
	}
	if r := f.get(t, "/v1/rpc/list_config", login.Token); r.code != 200 {
		t.Fatalf("login token cannot read: %d %s", r.code, r.body)
	}
	f.post(t, "/v1/rpc/update_config", login.Token, `{"p_key": "log_retention_days", "p_value": 10}`).problem(t, http.StatusForbidden)
	if r := f.post(t, "/v1/auth/logout", login.Token, nil); r.code != http.StatusNoContent {
		t.Fatalf("logout = %d %s", r.code, r.body)
	}
	f.get(t, "/v1/rpc/list_config", login.Token).problem(t, http.StatusUnauthorized)

	// A deactivated account's tokens stop at once.
	r = f.post(t, "/v1/auth/login", "", map[string]any{"email": "vera@example.com", "password": "ten chars or more"})
	_ = json.Unmarshal([]byte(r.body), &login)
	var id int64
	_ = f.conn.QueryRow(context.Background(), `select id from nezuko.admin_users where email = 'Vera@Example.com'`).Scan(&id)
	if r := f.post(t, "/v1/rpc/deactivate_admin_user", f.admin, map[string]any{"p_id": id}); r.code != 200 {
		t.Fatalf("deactivate = %d %s", r.code, r.body)
	}
	f.get(t, "/v1/rpc/list_config", login.Token).problem(t, http.StatusUnauthorized)
	f.post(t, "/v1/auth/login", "", map[string]any{"email": "vera@example.com", "password": "ten chars or more"}).problem(t, http.StatusUnauthorized)
}

const goodBotToken = "123456789:AAHfakeTokenForTestsOnly_abcdefghijk"

// fakeGetMe answers getMe like the Bot API: the bot for goodBotToken, 401
// Unauthorized for any other token, 404 for any other path.
// fakeTelegram is the strict fake Bot API with one bot, goodBotToken
// (@gate_test_bot, id 123456789): it answers go-telegram/bot's empty
// multipart getMe as Telegram does, and refuses unknown tokens (401).
func fakeTelegram(t *testing.T) (*fakebot.Server, *fakebot.Bot) {
	t.Helper()
	fake := fakebot.New()
	t.Cleanup(fake.Close)
	return fake, fake.AddBot(goodBotToken, 123456789, "gate_test_bot")
}

func TestRegisteringABotChecksGetMeAndStoresTheTokenEncrypted(t *testing.T) {
	tg, _ := fakeTelegram(t)
	var key fernet.Key
	_ = key.Generate()
	f := newAPI(t, "NEZUKO_TELEGRAM_API_URL="+tg.URL, "NEZUKO_FERNET_KEYS="+key.Encode())

	p := f.post(t, "/v1/bots", f.admin, map[string]any{"token": "123456789:AAHwrongTokenXXXXXXXXXXXXXXXXXXXXXXX"}).problem(t, http.StatusBadRequest)
	if !strings.Contains(p["detail"].(string), "Unauthorized") || strings.Contains(p["detail"].(string), "AAHwrong") {
		t.Errorf("bad token: detail %q, want Telegram's reason without the token", p["detail"])
	}
	f.post(t, "/v1/bots", f.admin, map[string]any{"token": "not a token"}).problem(t, http.StatusBadRequest)
	f.post(t, "/v1/bots", f.viewer, map[string]any{"token": goodBotToken}).problem(t, http.StatusForbidden)
	f.post(t, "/v1/bots", "", map[string]any{"token": goodBotToken}).problem(t, http.StatusUnauthorized)

	r := f.post(t, "/v1/bots", f.admin, map[string]any{"token": goodBotToken})
	if r.code != http.StatusCreated || !strings.Contains(r.body, `"username":"gate_test_bot"`) || strings.Contains(r.body, "AAHfake") {
		t.Fatalf("register = %d %s", r.code, r.body)
	}
	var enc string
	if err := f.conn.QueryRow(context.Background(), `select token_encrypted from nezuko.bot_instances where bot_user_id = 123456789`).Scan(&enc); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(enc, "AAHfake") {
		t.Fatal("token stored in clear")
	}
	if got := fernet.VerifyAndDecrypt([]byte(enc), 0, []*fernet.Key{&key}); string(got) != goodBotToken {
		t.Fatalf("stored token does not decrypt with the first key")
	}
	f.post(t, "/v1/bots", f.admin, map[string]any{"token": goodBotToken}).problem(t, http.StatusConflict)
	if r := f.get(t, "/v1/rpc/list_bots", f.viewer); r.code != 200 || strings.Contains(r.body, enc) || strings.Contains(r.body, "AAHfake") {
		t.Errorf("list_bots = %d %s (must never hold the token)", r.code, r.body)
	}
	if strings.Contains(f.p.Logs(), "AAHfake") || strings.Contains(f.p.Logs(), "AAHwrong") {
		t.Errorf("a bot token reached the log")
	}
}

func TestCLICreatesTokensAndAddsBots(t *testing.T) {
	url := testdb.New(t)
	env := []string{"DATABASE_URL=" + url}
	r := runNezuko(t, env, "token", "create", "--name", "ci", "--role", "viewer")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || !regexp.MustCompile(`^nzk_[A-Za-z0-9_-]{43}$`).MatchString(lines[len(lines)-1]) {
		t.Fatalf("token create = %d %q %q, want the token as the last line", r.code, r.stdout, r.stderr)
	}
	if r := runNezuko(t, env, "token", "create", "--name", "x", "--role", "root"); r.code != 2 || !singleLine(r.stderr) {
		t.Errorf("bad role: exit %d %q, want 2 and one line", r.code, r.stderr)
	}
	r = runNezuko(t, env, "token", "create", "--name", "boot", "--role", "admin", "--if-no-admin")
	if r.code != 0 || !strings.HasPrefix(lastLine(r.stdout), "nzk_") {
		t.Fatalf("first --if-no-admin = %d %q", r.code, r.stdout)
	}
	if r := runNezuko(t, env, "token", "create", "--name", "boot", "--role", "admin", "--if-no-admin"); r.code != 0 || r.stdout != "" {
		t.Errorf("second --if-no-admin = %d %q, want silence", r.code, r.stdout)
	}

	tg, _ := fakeTelegram(t)
	var key fernet.Key
	_ = key.Generate()
	env = append(env, "NEZUKO_TELEGRAM_API_URL="+tg.URL, "NEZUKO_FERNET_KEYS="+key.Encode())
	r = runNezuko(t, env, "bot", "add", "--token", "123456789:AAHwrongTokenXXXXXXXXXXXXXXXXXXXXXXX")
	if r.code == 0 || !singleLine(r.stderr) || !strings.Contains(r.stderr, "Unauthorized") || strings.Contains(r.stderr, "AAHwrong") {
		t.Errorf("bot add with a bad token = %d %q", r.code, r.stderr)
	}
	r = runNezuko(t, env, "bot", "add", "--token", goodBotToken)
	if r.code != 0 || !strings.Contains(r.stdout, "@gate_test_bot") || strings.Contains(r.stdout+r.stderr, "AAHfake") {
		t.Fatalf("bot add = %d %q %q", r.code, r.stdout, r.stderr)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
