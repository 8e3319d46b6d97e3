package realtime

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// pollBatch is how many events one relay query reads.
const pollBatch = 2000

var allChannelNames = []string{"dashboard", "bot_status", "commands", "logs"}

// poll reads the events after the head cursor that are safe to deliver and
// appends them to the ring. In the same round trip it reads the server's
// start time: a restart (see restarted) rewinds the cursor first.
func (s *Service) poll(ctx context.Context) (more, blocked bool, err error) {
	s.mu.Lock()
	after := s.headKey
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	b := &pgx.Batch{}
	b.Queue("select pg_postmaster_start_time()")
	b.Queue(`select txid::text, kind_no, id, kind, data::text, ready
		from bot.realtime_events($1::text::xid8, $2, $3, $4, $5)`,
		strconv.FormatUint(after.Txid, 10), after.Kind, after.ID, allChannelNames, pollBatch)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	var started time.Time
	if err := br.QueryRow().Scan(&started); err != nil {
		return false, false, fmt.Errorf("server start time: %w", err)
	}
	if !s.pgStart.IsZero() && !started.Equal(s.pgStart) {
		s.pgStart = started
		_ = br.Close()
		s.restarted()
		return true, false, nil // poll again from the rewound cursor
	}
	s.pgStart = started
	rows, err := br.Query()
	if err != nil {
		return false, false, fmt.Errorf("query events: %w", err)
	}
	var batch []*event
	var last Key
	n := 0
	for rows.Next() {
		var txid, kind, data string
		var kindNo int32
		var id int64
		var ready bool
		if err := rows.Scan(&txid, &kindNo, &id, &kind, &data, &ready); err != nil {
			rows.Close()
			return false, false, fmt.Errorf("scan event: %w", err)
		}
		n++
		if !ready {
			blocked = true
			continue
		}
		t, err := strconv.ParseUint(txid, 10, 64)
		if err != nil || kindNo < 1 || kindNo > 4 {
			rows.Close()
			return false, false, fmt.Errorf("bad event key %s-%d-%d", txid, kindNo, id)
		}
		last = Key{Txid: t, Kind: kindNo, ID: id}
		if s.rescan != nil && s.rescan[last] {
			delete(s.rescan, last) // delivered before the restart, and durable
			continue
		}
		batch = append(batch, &event{key: last, mask: Channels[kindNo-1].bit, frame: frame(last, kind, []byte(data))})
	}
	if err := rows.Err(); err != nil {
		return false, false, fmt.Errorf("read events: %w", err)
	}
	more = n == pollBatch && !blocked
	if s.rescan != nil && ((!more && !blocked) || s.rescanUntil.Less(last)) {
		// The re-scan has passed where the relay stood before the restart:
		// any key delivered then and not found again was lost by the crash.
		if len(s.rescan) > 0 {
			s.log.Warn("realtime: events delivered before the PostgreSQL restart were lost with it (asynchronous commits); "+
				"clients are told to refetch", "lost", len(s.rescan))
			k := s.rescanUntil
			if k.Less(last) {
				k = last
			}
			batch = append(batch, &event{key: k, mask: allChannels, reset: true,
				frame: resetFrame(k, "the database restarted and lost events already delivered; refetch")})
		}
		s.rescan = nil
	}
	if len(batch) > 0 || last != (Key{}) {
		s.mu.Lock()
		seq := s.ring.head.Load()
		for _, ev := range batch {
			ev.seq = seq
			s.ring.slots[seq%uint64(len(s.ring.slots))].Store(ev)
			seq++
		}
		s.ring.head.Store(seq)
		if last != (Key{}) {
			s.headKey = last
		}
		s.mu.Unlock()
		if len(batch) > 0 {
			s.hub.wakeAll()
		}
	}
	return more, blocked, nil
}

// restarted handles a PostgreSQL restart seen between two polls. After a
// crash, transaction ids whose commits never reached the disk (commits with
// synchronous_commit off, by anyone) are handed out again, so new events
// may carry txids at or below the cursor and would be skipped, and events
// already delivered from the lost transactions (phantoms) no longer exist.
// The relay rewinds its cursor to the oldest event still in its ring and
// re-scans the tables from there: events it delivered before are
// recognised by key and not sent twice, events it never delivered are
// sent, and if some delivered key is gone, clients get one reset event.
func (s *Service) restarted() {
	s.mu.Lock()
	defer s.mu.Unlock()
	head := s.ring.head.Load()
	seen := map[Key]bool{}
	from := s.headKey
	for i := uint64(1); i <= uint64(len(s.ring.slots)) && i <= head; i++ {
		ev := s.ring.at(head - i)
		if ev == nil {
			break
		}
		if ev.reset {
			continue
		}
		seen[ev.key] = true
		if ev.key.Less(from) {
			from = ev.key
		}
	}
	if from != s.headKey || len(seen) > 0 {
		delete(seen, from) // the cursor is exclusive: from itself is not re-read
	}
	s.log.Warn("realtime: PostgreSQL restarted; re-scanning events from the tables", "from", from.String(), "head", s.headKey.String())
	s.rescan, s.rescanUntil = seen, s.headKey
	s.headKey = from
}

// position is where a new client joins the live stream: the next ring seq
// and the key of the last event before it.
func (s *Service) position() (uint64, Key) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ring.head.Load(), s.headKey
}
