// Package plan is the contract between SQL and the Go executor: SQL decides,
// Go carries out. A bot.* function returns a Plan as jsonb; the executor
// answers its membership checks (through the cache rules) and hands the
// answers back to SQL. An update's decision returns no calls: SQL writes them
// as durable effects (nezuko.bot_effects) that the effect runner carries out
// and reports one by one (a CallResult each). The command-queue worker still
// runs a plan's calls in order through the same executor, so rate limits,
// 429 handling and api_call_log accounting apply to every call.
package plan

import "encoding/json"

// Plan is what a bot.* function returns.
type Plan struct {
	// Checks are getChatMember questions SQL needs answered before it can
	// decide; when present, the executor answers them and calls Resume.
	Checks []Check `json:"checks,omitempty"`
	// Resume names the bot.* function to call with the answers, and State
	// is handed back to it unchanged.
	Resume string          `json:"resume,omitempty"`
	State  json.RawMessage `json:"state,omitempty"`
	// Calls are Bot API calls to make, in order, once no checks remain.
	Calls []Call `json:"calls,omitempty"`
	// Finish, when set, names the bot.* function called after the calls with
	// (bot_instance_id, state, results jsonb): it records what the calls
	// returned (a prompt's message_id) and marks an update processed.
	Finish string `json:"finish,omitempty"`
}

// Check asks whether UserID is a member of ChatID (getChatMember, the
// default), or, with Method "getChat", for the chat itself (its default
// permissions, or the id behind a @username given in ChatRef).
type Check struct {
	Method  string `json:"method,omitempty"`   // getChatMember (default) or getChat
	ChatID  int64  `json:"chat_id,omitempty"`  // the chat, or 0 when ChatRef names it
	ChatRef string `json:"chat_ref,omitempty"` // "@username" for getChat
	UserID  int64  `json:"user_id,omitempty"`
	// Fresh bypasses the membership cache (a verify button press, a channel
	// join or leave).
	Fresh bool `json:"fresh,omitempty"`
}

// CheckResult is Telegram's answer to a Check, or the error it gave.
type CheckResult struct {
	Method    string `json:"method,omitempty"`
	ChatID    int64  `json:"chat_id"`
	ChatRef   string `json:"chat_ref,omitempty"`
	UserID    int64  `json:"user_id"`
	Status    string `json:"status,omitempty"`    // creator, administrator, member, restricted, left, kicked
	IsMember  *bool  `json:"is_member,omitempty"` // for restricted
	Cached    bool   `json:"cached"`
	LatencyMS int64  `json:"latency_ms"`
	ErrorType string `json:"error_type,omitempty"` // bot_not_admin, chat_not_found, ...
	Error     string `json:"error,omitempty"`
	// Result is Telegram's raw answer (the ChatMember or Chat object).
	Result json.RawMessage `json:"result,omitempty"`
}

// Call is one Bot API call. Params are sent as Telegram expects them
// (nested objects such as reply_markup are JSON-encoded by the executor).
type Call struct {
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	// Optional: when true, a failure of this call does not stop the plan
	// (e.g. deleting a message that is already gone).
	Optional bool `json:"optional,omitempty"`
}

// CallResult is the outcome of one Call.
type CallResult struct {
	Method      string          `json:"method"`
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result,omitempty"`
	ErrorCode   int             `json:"error_code,omitempty"`
	Description string          `json:"description,omitempty"`
	ErrorType   string          `json:"error_type,omitempty"`
	// RetryAfter is a 429's retry_after in seconds.
	RetryAfter int `json:"retry_after,omitempty"`
}
