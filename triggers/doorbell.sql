-- triggers.doorbell: the one NOTIFY trigger function. A doorbell only says
-- "look": the rows are the mail (the queue's commands, the realtime
-- events), so a listener that missed a ring loses nothing and reads what is
-- there. Rung once per INSERT statement, not per row: each NOTIFY takes a
-- global lock at commit, and a per-row NOTIFY cut insert throughput about
-- threefold here; an INSERT of zero rows rings for nothing, which is
-- harmless and cheaper than a transition table.
--
-- Arguments (CREATE TRIGGER ... doorbell('channel'[, 'topic'])):
-- - channel: the LISTEN channel;
-- - topic (optional): the payload is '<topic> <txid>', so the realtime relay
--   knows which stream to read and after which transaction; PostgreSQL folds
--   the identical payloads of several statements of one transaction, and
--   the payload never nears NOTIFY's 8000-byte limit. Without a topic the
--   payload is empty, so the rings of one transaction fold into one.
create function triggers.doorbell() returns trigger
language plpgsql as $$
begin
    if tg_nargs > 1 then
        perform pg_notify(tg_argv[0], tg_argv[1] || ' ' || pg_current_xact_id()::text);
    else
        perform pg_notify(tg_argv[0], '');
    end if;
    return null;
end
$$;
comment on function triggers.doorbell() is 'The doorbell: one NOTIFY per statement on the channel of its first trigger argument, with payload "<topic> <txid>" when a second argument names a topic, else empty.';

-- The command queue's workers LISTEN on nezuko_commands and claim whatever
-- is due.
create trigger notify_command_inserted after insert on nezuko.admin_commands
for each statement execute function triggers.doorbell('nezuko_commands');

-- The realtime relay: verification_log rows are the events of channel
-- dashboard (a 10k-row batch rings once); admin_logs rows at INFO and above
-- those of channel logs (bot.realtime_events skips DEBUG, so a statement of
-- DEBUG rows only rings for nothing). bot_status and admin_commands ring
-- from their outbox triggers (realtime/), after writing their events.
create trigger realtime_verification after insert on nezuko.verification_log
for each statement execute function triggers.doorbell('nezuko_realtime', 'dashboard');
create trigger realtime_new_log after insert on nezuko.admin_logs
for each statement execute function triggers.doorbell('nezuko_realtime', 'logs');
