package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/fernet/fernet-go"
)

func TestKeysResealMovesEveryTokenToTheFirstKeyAndNamesTheUndecryptable(t *testing.T) {
	w := newBotWorld(t) // its bot sealed with w.key
	lost := newKey(t)
	lostID := w.addBot("424242:AAlostlostlostlostlostlostlostlost", 424242, "lost_bot", "polling", "")
	w.exec(`update nezuko.bot_instances set token_encrypted = $2 where id = $1`, lostID,
		sealToken(t, lost, "424242:AAlostlostlostlostlostlostlostlost"))
	fresh := newKey(t)
	env := []string{"DATABASE_URL=" + w.url, "NEZUKO_FERNET_KEYS=" + fresh + "," + w.key}
	r := runNezuko(t, env, "keys", "reseal")
	if r.code != 1 || !singleLine(r.stderr) || !strings.Contains(r.stderr, "@lost_bot") || strings.Contains(r.stderr, "nezuko_test_bot") {
		t.Fatalf("reseal with an undecryptable token = %d %q %q", r.code, r.stdout, r.stderr)
	}
	var sealed string
	if err := w.pool.QueryRow(context.Background(), `select token_encrypted from nezuko.bot_instances where id = $1`, w.botID).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	k := fernet.MustDecodeKeys(fresh)
	if got := fernet.VerifyAndDecrypt([]byte(sealed), 0, k); string(got) != w.token {
		t.Fatalf("token not resealed with the first key")
	}
	// The old key can now go: the bot runs with the new key alone.
	w.exec(`delete from nezuko.bot_instances where id = $1`, lostID)
	r = runNezuko(t, []string{"DATABASE_URL=" + w.url, "NEZUKO_FERNET_KEYS=" + fresh}, "keys", "reseal")
	if r.code != 0 || !strings.Contains(r.stdout, "resealed 0 bot tokens with the first key (1 already were)") {
		t.Fatalf("second reseal = %d %q %q", r.code, r.stdout, r.stderr)
	}
	w.protect(groupID, "", chanA)
	startServe(t, append(w.env(), "NEZUKO_FERNET_KEYS="+fresh)...)
	w.processed(w.bot.Push(w.message(groupID, userID, "x")))
	if len(w.okCalls("restrictChatMember", groupID, userID)) != 1 {
		t.Fatal("the bot does not run with the new key alone after reseal")
	}
}
