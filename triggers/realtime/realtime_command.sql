-- triggers.realtime_command: a new command (status pending) and every
-- status change of admin_commands become command_updated events in the
-- outbox, with the row as it is now; then one NOTIFY for the statement.
-- The row is stored as a row (realtime_events.command) and rendered as JSON
-- only when read (bot.realtime_events): the JSON is four times the bytes,
-- and writing it cost more than twice as much (sql/012_realtime_command_snapshot.sql).
-- Updates that leave the status alone (lease renewals, counters) publish
-- nothing. The queue's own worker doorbell is triggers.doorbell (doorbell.sql).
--
-- The ring after commit: a transaction that sets nezuko.realtime_ring to
-- 'after_commit' (set_config(..., true), the queue worker's claims and
-- completion batches) writes its events without the NOTIFY and promises to
-- ring nezuko_realtime itself once it has committed. A transaction that
-- notifies takes PostgreSQL's cluster-wide notify lock at commit and holds
-- it through its WAL flush, so every claim and completion queued behind the
-- INSERTs' commits (and each other's); a NOTIFY sent on its own writes no
-- WAL and holds the lock for microseconds. Should the late ring be lost
-- (the worker died right after its commit), the relay's idle poll
-- delivers the events (gobridge/realtime).
create function triggers.realtime_command() returns trigger
language plpgsql as $$
declare
    v_count bigint;
begin
    if tg_op = 'INSERT' then
        insert into nezuko.realtime_events (channel, kind, source_id, command)
        select 'commands', 'command_updated', n.id, (n.*)::nezuko.admin_commands
        from new_rows n
        order by n.id;
    else
        insert into nezuko.realtime_events (channel, kind, source_id, command)
        select 'commands', 'command_updated', n.id, (n.*)::nezuko.admin_commands
        from new_rows n
        join old_rows o on o.id = n.id
        where o.status is distinct from n.status
        order by n.id;
    end if;
    get diagnostics v_count = row_count;
    if v_count > 0 and coalesce(current_setting('nezuko.realtime_ring', true), '') <> 'after_commit' then
        perform pg_notify('nezuko_realtime', 'commands ' || pg_current_xact_id()::text);
    end if;
    return null;
end
$$;
comment on function triggers.realtime_command() is 'Realtime: copies each new admin_commands row and each status change into realtime_events (event command_updated, channel commands) and rings once per statement (unless nezuko.realtime_ring = after_commit: the caller rings after its commit).';

create trigger realtime_command_insert after insert on nezuko.admin_commands
referencing new table as new_rows
for each statement execute function triggers.realtime_command();
create trigger realtime_command_update after update on nezuko.admin_commands
referencing old table as old_rows new table as new_rows
for each statement execute function triggers.realtime_command();
