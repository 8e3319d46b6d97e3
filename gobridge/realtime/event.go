// Package realtime relays the trigger-fed event streams (verification,
// status_changed, command_updated, new_log) from PostgreSQL to Server-Sent
// Events at GET /v1/events.
//
// NOTIFY is only a doorbell: one relay per process, woken by the shared
// LISTEN connection, reads the events themselves from the tables with
// bot.realtime_events (in order, and only once no older transaction is in
// flight, so nothing is skipped), appends them to an in-memory ring, and a
// few writer goroutines copy the ring to every connected client with
// non-blocking writes. A client costs a socket and a small struct, not a
// goroutine; one that cannot keep up is disconnected when it falls more than
// a bounded number of events behind, and may resume with Last-Event-ID,
// which replays exactly what it missed from the tables.
package realtime

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// NotifyChannel is the PostgreSQL channel the realtime triggers ring.
const NotifyChannel = "nezuko_realtime"

// Channel is a subscribable stream.
type Channel struct {
	Name string // channels=... value
	Kind string // SSE event name
	bit  uint8
}

// Channels lists the four streams, in kind_no order (see bot.realtime_events).
var Channels = []Channel{
	{Name: "dashboard", Kind: "verification", bit: 1},
	{Name: "bot_status", Kind: "status_changed", bit: 2},
	{Name: "commands", Kind: "command_updated", bit: 4},
	{Name: "logs", Kind: "new_log", bit: 8},
}

const allChannels uint8 = 15

func channelByName(name string) (Channel, bool) {
	for _, c := range Channels {
		if c.Name == name {
			return c, true
		}
	}
	return Channel{}, false
}

// parseChannels reads "dashboard,logs" into a bit mask and the names.
// Empty means every channel.
func parseChannels(s string) (uint8, []string, error) {
	if strings.TrimSpace(s) == "" {
		names := make([]string, len(Channels))
		for i, c := range Channels {
			names[i] = c.Name
		}
		return allChannels, names, nil
	}
	var mask uint8
	var names []string
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		c, ok := channelByName(part)
		if !ok {
			return 0, nil, fmt.Errorf("unknown channel %q (want dashboard, bot_status, commands or logs)", part)
		}
		if mask&c.bit == 0 {
			mask |= c.bit
			names = append(names, c.Name)
		}
	}
	return mask, names, nil
}

// Key orders every event of every channel: (txid of the writing
// transaction, kind number 1-4, row id). Its text form "txid-kind-id" is
// the SSE id, so one Last-Event-ID resumes all subscribed channels.
type Key struct {
	Txid uint64
	Kind int32
	ID   int64
}

func (k Key) String() string {
	return strconv.FormatUint(k.Txid, 10) + "-" + strconv.FormatInt(int64(k.Kind), 10) + "-" + strconv.FormatInt(k.ID, 10)
}

// Less orders keys.
func (k Key) Less(o Key) bool {
	if k.Txid != o.Txid {
		return k.Txid < o.Txid
	}
	if k.Kind != o.Kind {
		return k.Kind < o.Kind
	}
	return k.ID < o.ID
}

var errBadKey = errors.New("malformed event id")

// ParseKey reads the text form of a Key.
func ParseKey(s string) (Key, error) {
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) != 3 {
		return Key{}, errBadKey
	}
	t, err1 := strconv.ParseUint(parts[0], 10, 63)
	k, err2 := strconv.ParseInt(parts[1], 10, 32)
	id, err3 := strconv.ParseInt(parts[2], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || k < 0 || k > 4 || id < 0 {
		return Key{}, errBadKey
	}
	return Key{Txid: t, Kind: int32(k), ID: id}, nil
}

// frame renders one SSE event. data is one line of JSON (jsonb text never
// contains a raw newline).
func frame(k Key, kind string, data []byte) []byte {
	b := make([]byte, 0, len(data)+len(kind)+48)
	b = append(b, "id: "...)
	b = append(b, k.String()...)
	b = append(b, "\nevent: "...)
	b = append(b, kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	b = append(b, "\n\n"...)
	return b
}

// resetFrame tells a client that its cursor cannot be replayed: refetch,
// then continue from this event's id.
func resetFrame(k Key, reason string) []byte {
	return frame(k, "reset", fmt.Appendf(nil, `{"reason":%q}`, reason))
}
