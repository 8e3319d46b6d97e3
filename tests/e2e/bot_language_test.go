package e2e

// The bot speaks the group's language (issue 13, item 13): texts come from
// nezuko.bot_texts by (key, language).

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/nezuko-bot/nezuko/tests/fakebot"
)

func withLanguage(u map[string]any, code string) map[string]any {
	for _, k := range []string{"message", "callback_query"} {
		if m, ok := u[k].(map[string]any); ok {
			m["from"].(map[string]any)["language_code"] = code
		}
	}
	return u
}

// englishWords are the words of the English prompt texts (placeholders
// and markup removed), read from the database the bot uses.
func (w *botWorld) englishWords(keyLike string) []string {
	w.t.Helper()
	rows, err := w.pool.Query(context.Background(), `
		select distinct lower(x) from nezuko.bot_texts,
		       regexp_split_to_table(regexp_replace(body, '\{[a-z_]+\}|<[^>]*>', ' ', 'g'), '[^A-Za-z]+') x
		where language = 'en' and key like $1 and length(x) > 2`, keyLike)
	if err != nil {
		w.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			w.t.Fatal(err)
		}
		out = append(out, s)
	}
	if len(out) < 5 {
		w.t.Fatalf("too few English words to check against: %v", out)
	}
	return out
}

func noEnglish(t *testing.T, what, text string, words []string) {
	t.Helper()
	for _, word := range words {
		if regexp.MustCompile(`(?i)\b` + word + `\b`).MatchString(text) {
			t.Fatalf("%s contains the English word %q: %s", what, word, text)
		}
	}
}

func TestProtectByASpanishAdminMakesASpanishGroupWhosePromptAndButtonsHaveNoEnglish(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.fake.UpdateChat(chanA, func(c *fakebot.Chat) { c.Title = "Canal Uno" })
	w.fake.UpdateChat(groupID, func(c *fakebot.Chat) { c.Title = "Grupo de Prueba" })
	w.serve()
	w.processed(w.bot.Push(withLanguage(w.message(groupID, adminID, "/protect @chan_a"), "es-419")))
	if r := w.lastReply(groupID); !strings.Contains(r, "Este grupo está protegido") {
		t.Fatalf("the /protect reply is not in the admin's language: %q", r)
	}
	if got := w.scalar("select params->>'language' from nezuko.protected_groups"); got != "es" {
		t.Fatalf("group language = %s, want es", got)
	}
	// A member whose own Telegram is in English still sees the group's language.
	w.processed(w.bot.Push(withLanguage(w.message(groupID, userID, "hello"), "en")))
	p := w.okCalls("sendMessage", groupID, 0)
	prompt := p[len(p)-1]
	text := fmt.Sprint(prompt.Params["text"])
	if !strings.Contains(text, "únete") {
		t.Fatalf("prompt not in Spanish: %s", text)
	}
	words := w.englishWords("prompt.%")
	noEnglish(t, "the Spanish prompt", regexp.MustCompile(`<[^>]*>`).ReplaceAllString(text, " "), words)
	var buttons []string
	for _, row := range prompt.Params["reply_markup"].(map[string]any)["inline_keyboard"].([]any) {
		for _, b := range row.([]any) {
			buttons = append(buttons, fmt.Sprint(b.(map[string]any)["text"]))
		}
	}
	if len(buttons) != 2 {
		t.Fatalf("buttons: %v", buttons)
	}
	for _, b := range buttons {
		noEnglish(t, "a Spanish button", b, words)
	}
}

func TestCallbackAnswersUseThePressersLanguage(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, `{"language":"pt"}`, chanA)
	w.serve()
	w.muted(groupID, userID)
	w.processed(w.bot.Push(withLanguage(callbackUpdate(groupID, user2ID, fmt.Sprintf("nzv:%d", userID)), "ru")))
	w.processed(w.bot.Push(withLanguage(callbackUpdate(groupID, userID, fmt.Sprintf("nzv:%d", userID)), "de")))
	ans := w.okCalls("answerCallbackQuery", 0, 0)
	if len(ans) != 2 {
		t.Fatalf("answers: %d", len(ans))
	}
	if got := fmt.Sprint(ans[0].Params["text"]); got != "Эта кнопка предназначена другому участнику." {
		t.Fatalf("a Russian presser got %q", got)
	}
	// German has no text set: the group's language (Portuguese).
	if got := fmt.Sprint(ans[1].Params["text"]); !strings.HasPrefix(got, "Você ainda não entrou em: Channel A") {
		t.Fatalf("a German presser in a Portuguese group got %q", got)
	}
}

func TestSettingsLanguageSwitchesEveryReplyAndRefusesALanguageWithoutTexts(t *testing.T) {
	t.Parallel() // own database, fake Bot API and serve process
	w := newBotWorld(t)
	w.protect(groupID, "", chanA)
	w.serve()
	w.processed(w.bot.Push(w.message(groupID, adminID, "/settings language hi")))
	if r := w.lastReply(groupID); !strings.Contains(r, "सहेजा गया") {
		t.Fatalf("the confirmation is not in the new language: %q", r)
	}
	w.processed(w.bot.Push(w.message(groupID, adminID, "/settings language xx")))
	if r := w.lastReply(groupID); !strings.Contains(r, "नहीं बदला") || !strings.Contains(r, "en, es, hi, id, pt, ru") {
		t.Fatalf("a language without texts is not refused in Hindi, naming the offered ones: %q", r)
	}
	for cmd, want := range map[string]string{"/help": "सेटअप", "/status": "सुरक्षा", "/settings": "सेटिंग्स"} {
		w.processed(w.bot.Push(w.message(groupID, adminID, cmd)))
		if r := w.lastReply(groupID); !strings.Contains(r, want) {
			t.Fatalf("%s is not in Hindi: %q", cmd, r)
		}
	}
	// A group's own prompt_text still overrides the language's prompt; the
	// buttons stay in the group's language.
	w.processed(w.bot.Push(w.message(groupID, adminID, "/settings prompt_text Subscribe to {channels}, {name}!")))
	w.processed(w.bot.Push(w.message(groupID, userID, "hi")))
	p := w.okCalls("sendMessage", groupID, 0)
	last := p[len(p)-1]
	if !strings.HasPrefix(fmt.Sprint(last.Params["text"]), "Subscribe to ") || !strings.Contains(mustJSON(last.Params["reply_markup"]), "मैं जुड़ गया") {
		t.Fatalf("prompt_text override or Hindi buttons missing: %v %s", last.Params["text"], mustJSON(last.Params["reply_markup"]))
	}
}
