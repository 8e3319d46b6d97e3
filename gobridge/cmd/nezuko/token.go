package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/api"
	"github.com/nezuko-bot/nezuko/gobridge/realtime"
	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// runToken: `nezuko token create --name N --role admin|viewer [--ttl 720h] [--if-no-admin]`.
// The token is the last line of the output, so scripts can `| tail -n 1`.
func runToken(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "create" {
		return usageError{"usage: nezuko token create --name NAME --role admin|viewer [--ttl DURATION] [--if-no-admin]"}
	}
	fs := newFlags("token create")
	name := fs.String("name", "", "a name to tell the token apart")
	role := fs.String("role", "", "admin or viewer")
	ttl := fs.Duration("ttl", 0, "lifetime (e.g. 720h); none when 0")
	ifNone := fs.Bool("if-no-admin", false, "create only when no active admin token exists (first start)")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"--name is required"}
	}
	if *role != "admin" && *role != "viewer" {
		return usageError{"--role must be admin or viewer"}
	}
	if *ttl < 0 {
		return usageError{"--ttl must be positive"}
	}
	conn, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if *ifNone {
		var exists bool
		err := conn.QueryRow(ctx, `select exists (select from nezuko.api_tokens where role = 'admin' and revoked_at is null
			and (expires_at is null or expires_at > now()))`).Scan(&exists)
		if err != nil {
			return fmt.Errorf("look for admin tokens: %w", err)
		}
		if exists {
			return nil
		}
	}
	var ttlArg any
	if *ttl > 0 {
		ttlArg = *ttl
	}
	var (
		id      int64
		token   string
		expires *time.Time
	)
	err = conn.QueryRow(ctx, `select token_id, token, expires_at from auth.create_token($1, $2, null, $3)`, *name, *role, ttlArg).
		Scan(&id, &token, &expires)
	if err != nil {
		return fmt.Errorf("create token: %w", err)
	}
	exp := "never expires"
	if expires != nil {
		exp = "expires " + expires.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(e.stdout, "created %s token %d %q (%s); it is shown only now:\n", *role, id, *name, exp)
	fmt.Fprintln(e.stdout, token)
	return nil
}

// runBot: `nezuko bot add --token T [--webhook-url URL]`: getMe at
// NEZUKO_TELEGRAM_API_URL, Fernet-encrypt with the first NEZUKO_FERNET_KEYS
// key, store; with --webhook-url, setWebhook (a new secret, the allowed
// updates) and webhook mode. `nezuko bot polling --id N`: deleteWebhook and
// polling mode.
func runBot(ctx context.Context, e *env, args []string) error {
	const usage = "usage: nezuko bot add --token TOKEN [--webhook-url URL] | nezuko bot polling --id N"
	if len(args) == 0 || (args[0] != "add" && args[0] != "polling") {
		return usageError{usage}
	}
	if args[0] == "polling" {
		return runBotPolling(ctx, e, args[1:])
	}
	fs := newFlags("bot add")
	token := fs.String("token", "", "the bot token from @BotFather")
	webhook := fs.String("webhook-url", "", "public base URL of nezuko serve: the bot runs in webhook mode")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if *token == "" {
		return usageError{"--token is required"}
	}
	if *webhook != "" {
		if _, err := api.WebhookEndpoint(*webhook, 1); err != nil {
			return usageError{err.Error()}
		}
	}
	if len(e.cfg.FernetKeys) == 0 {
		return fmt.Errorf("NEZUKO_FERNET_KEYS is not set (nezuko keygen makes a key)")
	}
	client := &http.Client{Timeout: 15 * time.Second}
	id, err := api.CheckBotToken(ctx, client, e.cfg.TelegramAPIURL, *token)
	if err != nil {
		return err
	}
	enc, sum, err := api.EncryptBotToken(e.cfg.FernetKeys, *token)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	// One transaction: no running bridge sees the bot before its mode is
	// set (a polling bot deletes any webhook), and nothing is stored when
	// Telegram refuses the webhook.
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("store bot: %w", err)
	}
	defer tx.Rollback(context.Background())
	var js string
	if err := tx.QueryRow(ctx, api.RegisterBotSQL, id.ID, id.Username, id.FirstName, enc, sum).Scan(&js); err != nil {
		return fmt.Errorf("store bot: %w", err)
	}
	var stored struct {
		ID int64 `json:"id"`
	}
	_ = json.Unmarshal([]byte(js), &stored)
	endpoint := ""
	if *webhook != "" {
		endpoint, _ = api.WebhookEndpoint(*webhook, stored.ID)
		secret, err := api.SetWebhook(ctx, client, e.cfg.TelegramAPIURL, *token, endpoint)
		if err != nil {
			return fmt.Errorf("%w; the bot was not registered", err)
		}
		if _, err := tx.Exec(ctx, api.SetUpdateModeSQL, stored.ID, "webhook", secret); err != nil {
			return fmt.Errorf("store webhook mode: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("store bot: %w", err)
	}
	if endpoint == "" {
		fmt.Fprintf(e.stdout, "registered bot @%s (telegram id %d, bot id %d), polling\n", id.Username, id.ID, stored.ID)
		return nil
	}
	fmt.Fprintf(e.stdout, "registered bot @%s (telegram id %d, bot id %d), webhook %s\n", id.Username, id.ID, stored.ID, endpoint)
	return nil
}

// runBotPolling: deleteWebhook, then polling mode.
func runBotPolling(ctx context.Context, e *env, args []string) error {
	fs := newFlags("bot polling")
	id := fs.Int64("id", 0, "bot_instances.id")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		return usageError{"--id is required (the bot's id, as nezuko bot add printed it)"}
	}
	keys, err := telegram.ParseKeys(e.cfg.FernetKeys)
	if err != nil {
		return err
	}
	conn, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var sealed *string
	if err := conn.QueryRow(ctx, "select bot.bot_token($1)", *id).Scan(&sealed); err != nil {
		return fmt.Errorf("read bot: %w", err)
	}
	if sealed == nil {
		return fmt.Errorf("no bot with id %d", *id)
	}
	token, err := telegram.Decrypt(*sealed, keys)
	if err != nil {
		return fmt.Errorf("bot %d: no key of NEZUKO_FERNET_KEYS decrypts its token", *id)
	}
	if err := api.DeleteWebhook(ctx, &http.Client{Timeout: 15 * time.Second}, e.cfg.TelegramAPIURL, token); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, api.SetUpdateModeSQL, *id, "polling", nil); err != nil {
		return fmt.Errorf("store polling mode: %w", err)
	}
	fmt.Fprintf(e.stdout, "bot %d: webhook deleted, polling\n", *id)
	return nil
}

// runOpenAPI: `nezuko openapi [--dir openapi]` writes the OpenAPI documents
// the server serves for this database's catalog: openapi.yaml (3.1) and
// openapi-3.0.yaml.
func runOpenAPI(ctx context.Context, e *env, args []string) error {
	fs := newFlags("openapi")
	dir := fs.String("dir", "openapi", "folder to write openapi.yaml and openapi-3.0.yaml into")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	pool, err := openPool(ctx, e, "", 2)
	if err != nil {
		return err
	}
	defer pool.Close()
	// The document includes the realtime relay's operations, as served.
	rt := realtime.New(pool, e.log, realtime.Options{})
	doc, err := api.BuildDocument(ctx, pool, e.log, documentRealtime(rt)...)
	if err != nil {
		return err
	}
	y31, err := doc.YAML()
	if err != nil {
		return fmt.Errorf("render OpenAPI 3.1: %w", err)
	}
	y30, err := doc.DowngradeYAML()
	if err != nil {
		return fmt.Errorf("render OpenAPI 3.0: %w", err)
	}
	for name, b := range map[string][]byte{"openapi.yaml": y31, "openapi-3.0.yaml": y30} {
		p := filepath.Join(*dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", p, err)
		}
		fmt.Fprintf(e.stdout, "wrote %s\n", p)
	}
	return nil
}
