package e2e

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fernet/fernet-go"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
	"github.com/nezuko-bot/nezuko/tests/testdb"
)

// lastSetWebhook is the params of the fake's last setWebhook call (nil if none).
func lastSetWebhook(fake *fakebot.Server) map[string]any {
	cs := fake.Calls("setWebhook")
	if len(cs) == 0 {
		return nil
	}
	return cs[len(cs)-1].Params
}

// checkWebhookMode checks the fake's webhook (URL, secret, allowed updates)
// against what the database stored for the bot.
func checkWebhookMode(t *testing.T, fake *fakebot.Server, bot *fakebot.Bot, dbURL, base string, botID int64) {
	t.Helper()
	u, secret := bot.Webhook()
	if want := fmt.Sprintf("%s/telegram/%d/webhook", base, botID); u != want {
		t.Errorf("webhook URL at Telegram = %q, want %q", u, want)
	}
	if len(secret) < 32 {
		t.Errorf("webhook secret %q is too short", secret)
	}
	p := lastSetWebhook(fake)
	allowed, _ := p["allowed_updates"].([]any)
	var got []string
	for _, a := range allowed {
		got = append(got, fmt.Sprint(a))
	}
	if strings.Join(got, ",") != "message,edited_message,callback_query,chat_member,my_chat_member,chat_join_request" {
		t.Errorf("setWebhook allowed_updates = %v", got)
	}
	conn := connect(t, dbURL)
	var mode string
	var hash []byte
	if err := conn.QueryRow(context.Background(), `select update_mode, webhook_secret_sha256 from nezuko.bot_instances where id = $1`, botID).Scan(&mode, &hash); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(secret))
	if mode != "webhook" || string(hash) != string(sum[:]) {
		t.Errorf("stored mode %q, secret hash matches: %v", mode, string(hash) == string(sum[:]))
	}
}

func TestCLIAddsAWebhookBotAgainstTheStrictFakeAndSwitchesItBackToPolling(t *testing.T) {
	fake, bot := fakeTelegram(t)
	url := testdb.New(t)
	var key fernet.Key
	_ = key.Generate()
	env := []string{"DATABASE_URL=" + url, "NEZUKO_TELEGRAM_API_URL=" + fake.URL, "NEZUKO_FERNET_KEYS=" + key.Encode()}
	if r := runNezuko(t, env, "bot", "add", "--token", goodBotToken, "--webhook-url", "ftp://x"); r.code != 2 || !singleLine(r.stderr) {
		t.Errorf("bad webhook URL: exit %d %q, want 2 and one line", r.code, r.stderr)
	}
	// Telegram refuses the webhook: nothing is stored.
	fake.Inject(fakebot.Fault{Method: "setWebhook", Count: 1, Code: 400, Description: "Bad Request: bad webhook: HTTPS url must be provided for webhook"})
	r := runNezuko(t, env, "bot", "add", "--token", goodBotToken, "--webhook-url", "https://bots.example.com/")
	if r.code != 1 || !strings.Contains(r.stderr, "HTTPS url must be provided") || !strings.Contains(r.stderr, "not registered") {
		t.Errorf("refused webhook: exit %d %q", r.code, r.stderr)
	}
	var n int
	_ = connect(t, url).QueryRow(context.Background(), `select count(*) from nezuko.bot_instances`).Scan(&n)
	if n != 0 {
		t.Errorf("a bot whose webhook Telegram refused was stored")
	}
	r = runNezuko(t, env, "bot", "add", "--token", goodBotToken, "--webhook-url", "https://bots.example.com/")
	if r.code != 0 || !strings.Contains(r.stdout, "webhook https://bots.example.com/telegram/") {
		t.Fatalf("bot add --webhook-url = %d %q %q", r.code, r.stdout, r.stderr)
	}
	if len(fake.Calls("getMe")) == 0 {
		t.Fatal("getMe was not asked of the fake")
	}
	var id int64
	if err := connect(t, url).QueryRow(context.Background(), `select id from nezuko.bot_instances where bot_user_id = 123456789`).Scan(&id); err != nil {
		t.Fatal(err)
	}
	checkWebhookMode(t, fake, bot, url, "https://bots.example.com", id)
	// Like Telegram, the fake refuses getUpdates while the webhook is set.
	if code, body := postForm(t, fake.URL+"/bot"+goodBotToken+"/getUpdates"); code != http.StatusConflict {
		t.Errorf("getUpdates with a webhook set = %d %s, want 409", code, body)
	}

	r = runNezuko(t, env, "bot", "polling", "--id", fmt.Sprint(id))
	if r.code != 0 {
		t.Fatalf("bot polling = %d %q", r.code, r.stderr)
	}
	if u, _ := bot.Webhook(); u != "" || len(fake.Calls("deleteWebhook")) != 1 {
		t.Errorf("after bot polling: webhook %q, deleteWebhook calls %d", u, len(fake.Calls("deleteWebhook")))
	}
	var mode string
	var hash []byte
	_ = connect(t, url).QueryRow(context.Background(), `select update_mode, webhook_secret_sha256 from nezuko.bot_instances where id = $1`, id).Scan(&mode, &hash)
	if mode != "polling" || hash != nil {
		t.Errorf("after bot polling: mode %q hash %x", mode, hash)
	}
	if code, _ := postForm(t, fake.URL+"/bot"+goodBotToken+"/getUpdates"); code != http.StatusOK {
		t.Errorf("getUpdates after deleteWebhook = %d, want 200", code)
	}
	if r := runNezuko(t, env, "bot", "polling", "--id", "999"); r.code != 1 || !strings.Contains(r.stderr, "no bot with id 999") {
		t.Errorf("bot polling of an unknown bot = %d %q", r.code, r.stderr)
	}
}

func TestAPIRegistersAWebhookBotAndDeletesTheWebhook(t *testing.T) {
	fake, bot := fakeTelegram(t)
	var key fernet.Key
	_ = key.Generate()
	f := newAPI(t, "NEZUKO_TELEGRAM_API_URL="+fake.URL, "NEZUKO_FERNET_KEYS="+key.Encode())
	f.post(t, "/v1/bots", f.admin, map[string]any{"token": goodBotToken, "webhook_url": "not a url"}).problem(t, http.StatusBadRequest)
	r := f.post(t, "/v1/bots", f.admin, map[string]any{"token": goodBotToken, "webhook_url": "https://bots.example.com"})
	if r.code != http.StatusCreated || !strings.Contains(r.body, `"update_mode":"webhook"`) {
		t.Fatalf("register with webhook_url = %d %s", r.code, r.body)
	}
	id := int64(r.json(t)["id"].(float64))
	checkWebhookMode(t, fake, bot, f.url, "https://bots.example.com", id)

	f.do(t, http.MethodDelete, fmt.Sprintf("/v1/bots/%d/webhook", id), f.viewer, nil).problem(t, http.StatusForbidden)
	f.do(t, http.MethodDelete, "/v1/bots/999/webhook", f.admin, nil).problem(t, http.StatusNotFound)
	r = f.do(t, http.MethodDelete, fmt.Sprintf("/v1/bots/%d/webhook", id), f.admin, nil)
	if r.code != http.StatusOK || !strings.Contains(r.body, `"update_mode":"polling"`) {
		t.Fatalf("delete webhook = %d %s", r.code, r.body)
	}
	if u, _ := bot.Webhook(); u != "" {
		t.Errorf("webhook still set at Telegram: %q", u)
	}
	if strings.Contains(f.p.Logs(), "AAHfake") {
		t.Errorf("a bot token reached the log")
	}
}

// postForm POSTs an empty form, as a bare Bot API client would.
func postForm(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "application/x-www-form-urlencoded", strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, resp.Status)
	return resp.StatusCode, b.String()
}
