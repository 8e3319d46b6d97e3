package queue

import (
	"context"
	"time"
)

// ringAfterCommit, queued first in a claim's or a completion's batch, tells
// the realtime_command trigger not to NOTIFY inside the transaction: the
// worker rings once the transaction has committed (ring), so the commit does
// not hold PostgreSQL's notify lock through its WAL flush. See
// triggers/realtime/realtime_command.sql.
const ringAfterCommit = "select set_config('nezuko.realtime_ring', 'after_commit', true)"

// ringSQL rings the relay in a transaction of its own, committed
// asynchronously: a NOTIFY takes a transaction id, so its commit would wait
// for a WAL flush (an fsync) while holding PostgreSQL's cluster-wide notify
// lock, queueing the completions' and enqueuers' commits behind it, twice
// per command when commands come one at a time. Nothing in it needs to
// survive a crash: the listeners get the notification once the commit is
// visible, flushed or not, and a ring lost to a crash only delays the events
// to the relay's idle poll (the events themselves were committed before the
// ring; a claim's, asynchronously, are lost with the claim).
const ringSQL = "select set_config('synchronous_commit', 'off', true), pg_notify('nezuko_realtime', 'commands')"

// ring asks the ringer for one realtime doorbell; it never blocks, and rings
// asked while one is pending fold into it.
func (w *Worker) ring() {
	select {
	case w.rings <- struct{}{}:
	default:
	}
}

// ringer sends the realtime doorbell (NOTIFY nezuko_realtime, the relay's
// channel) for the command_updated events that claims and completions
// committed, until ctx ends: ReportDelay after the first request, one ring
// for every request made meanwhile (a claim's ring and its completion's
// fold into one when commands come one at a time). A ring still pending
// when ctx ends is sent at once. A lost ring only delays the events to the
// relay's idle poll.
func (w *Worker) ringer(ctx context.Context) {
	send := func() {
		rctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if _, err := w.cfg.Pool.Exec(rctx, ringSQL); err != nil {
			w.cfg.Log.Debug("command queue: realtime ring", "err", err)
		}
	}
	wait := time.NewTimer(time.Hour)
	wait.Stop()
	for {
		select {
		case <-w.rings:
			wait.Reset(w.cfg.ReportDelay)
			select {
			case <-wait.C:
			case <-ctx.Done():
				wait.Stop()
			}
			// Requests made while waiting fold into this ring.
			select {
			case <-w.rings:
			default:
			}
			send()
		case <-ctx.Done():
			select {
			case <-w.rings:
				send()
			default:
			}
			return
		}
	}
}
