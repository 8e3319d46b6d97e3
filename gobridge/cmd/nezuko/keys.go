package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/fernet/fernet-go"
	"github.com/jackc/pgx/v5"

	"github.com/nezuko-bot/nezuko/gobridge/telegram"
)

// runKeys: `nezuko keys reseal` re-encrypts every stored bot token with the
// first key of NEZUKO_FERNET_KEYS, in one transaction (the rows locked
// meanwhile), so that the keys after the first can be retired. A token no
// given key decrypts is left as it is and named; the command then exits 1
// (the others are resealed: that bot cannot run with these keys anyway).
func runKeys(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "reseal" {
		return usageError{"usage: nezuko keys reseal"}
	}
	if err := parseFlags(newFlags("keys reseal"), args[1:]); err != nil {
		return err
	}
	keys, err := telegram.ParseKeys(e.cfg.FernetKeys)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return fmt.Errorf("NEZUKO_FERNET_KEYS is not set: list the new key first, then the old ones")
	}
	conn, err := connect(ctx, e)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback(context.Background())
	type bot struct {
		id       int64
		username string
		sealed   string
	}
	rows, err := tx.Query(ctx, `select id, username, token_encrypted from nezuko.bot_instances order by id for update`)
	if err != nil {
		return fmt.Errorf("read bots: %w", err)
	}
	bots, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (bot, error) {
		var b bot
		return b, r.Scan(&b.id, &b.username, &b.sealed)
	})
	if err != nil {
		return fmt.Errorf("read bots: %w", err)
	}
	var failed []string
	resealed, current := 0, 0
	for _, b := range bots {
		// Already sealed with the first key: nothing to do (rerunning is cheap).
		if fernet.VerifyAndDecrypt([]byte(b.sealed), 0, keys[:1]) != nil {
			current++
			continue
		}
		token, err := telegram.Decrypt(b.sealed, keys)
		if err != nil {
			failed = append(failed, fmt.Sprintf("%d (@%s)", b.id, b.username))
			continue
		}
		enc, err := fernet.EncryptAndSign([]byte(token), keys[0])
		if err != nil {
			return fmt.Errorf("encrypt: %w", err)
		}
		if _, err := tx.Exec(ctx, `update nezuko.bot_instances set token_encrypted = $2 where id = $1`, b.id, string(enc)); err != nil {
			return fmt.Errorf("bot %d: %w", b.id, err)
		}
		resealed++
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	fmt.Fprintf(e.stdout, "resealed %d bot tokens with the first key (%d already were)\n", resealed, current)
	if len(failed) > 0 {
		return fmt.Errorf("no key of NEZUKO_FERNET_KEYS decrypts the token of bot %s: register it again (nezuko bot add) before dropping a key", strings.Join(failed, ", "))
	}
	return nil
}
