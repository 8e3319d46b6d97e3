package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/nezuko-bot/nezuko/gobridge/backoff"
)

// poll is a small getUpdates loop with durable acknowledgement: the offset
// that confirms a batch is sent only after every update of the batch is
// decided and its effects committed (intake), never after Telegram calls.
func (m *Manager) poll(ctx context.Context, b botRow) {
	client, err := m.Exec.Client(ctx, b.ID)
	if err != nil {
		m.Log.Error("bot cannot poll", "bot_instance_id", b.ID, "err", err)
		<-ctx.Done()
		return
	}
	bc, _ := m.Exec.bot(ctx, b.ID)
	var offset int64
	retry := backoff.New(time.Second, 30*time.Second)
	for ctx.Err() == nil {
		params, _ := json.Marshal(map[string]any{"offset": offset, "timeout": int(m.PollTimeout / time.Second),
			"limit": 100, "allowed_updates": AllowedUpdates})
		res, err := client.Call(ctx, "getUpdates", params)
		if ctx.Err() != nil {
			return
		}
		if bc != nil {
			m.Exec.noteHealth(b.ID, bc, "getUpdates", err)
		}
		if err != nil {
			var ae *APIError
			switch {
			case errors.As(err, &ae) && ae.Code == 409 && strings.Contains(ae.Description, "webhook is active"):
				// The database says this bot polls: a webhook left over from
				// webhook mode (or another deployment) is removed.
				m.Log.Warn("a webhook is set for a polling bot; deleting it", "bot_instance_id", b.ID)
				if _, err := client.Call(ctx, "deleteWebhook", json.RawMessage(`{"drop_pending_updates":false}`)); err != nil {
					sleep(ctx, 5*time.Second)
				}
			case errors.As(err, &ae) && ae.Code == 409:
				// Another getUpdates (a previous owner's, still open at
				// Telegram) or a webhook: ours ends it; ask again shortly.
				m.Log.Warn("getUpdates refused: another poller or a webhook is active for this bot", "bot_instance_id", b.ID, "err", err)
				sleep(ctx, time.Second)
			case errors.As(err, &ae) && ae.Code == 429:
				sleep(ctx, time.Duration(max(ae.RetryAfter, 1))*time.Second)
			case errors.As(err, &ae) && (ae.Code == 401 || ae.Code == 403):
				m.Log.Error("Telegram refuses this bot's token (revoked?)", "bot_instance_id", b.ID, "err", err)
				sleep(ctx, 30*time.Second)
			default:
				m.Log.Warn("getUpdates failed", "bot_instance_id", b.ID, "err", err)
				sleep(ctx, retry.Next())
			}
			continue
		}
		retry.Reset()
		var ups []json.RawMessage
		if err := json.Unmarshal(res, &ups); err != nil {
			m.Log.Warn("getUpdates answer is not a list", "bot_instance_id", b.ID)
			sleep(ctx, time.Second)
			continue
		}
		next, err := m.intake(ctx, b.ID, ups)
		if err != nil {
			// Not committed (the database is away): the same batch comes
			// again (offset unchanged). Asked again every 2 s at most, so
			// intake resumes soon after the database does.
			if ctx.Err() == nil {
				m.Log.Warn("updates not taken in yet; Telegram will send them again", "bot_instance_id", b.ID, "err", err)
				sleep(ctx, min(retry.Next(), 2*time.Second))
			}
			continue
		}
		if next > offset {
			offset = next
		}
	}
}
