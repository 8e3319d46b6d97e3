-- triggers.realtime_command: a new command (status pending) and every
-- status change of admin_commands become command_updated events in the
-- outbox, with the row as it is now; then one NOTIFY for the statement.
-- Updates that leave the status alone (lease renewals, counters) publish
-- nothing. The queue's own worker doorbell is triggers.doorbell (doorbell.sql).
create function triggers.realtime_command() returns trigger
language plpgsql as $$
declare
    v_count bigint;
begin
    if tg_op = 'INSERT' then
        insert into nezuko.realtime_events (channel, kind, source_id, data)
        select 'commands', 'command_updated', n.id, to_jsonb(n)
        from new_rows n
        order by n.id;
    else
        insert into nezuko.realtime_events (channel, kind, source_id, data)
        select 'commands', 'command_updated', n.id, to_jsonb(n)
        from new_rows n
        join old_rows o on o.id = n.id
        where o.status is distinct from n.status
        order by n.id;
    end if;
    get diagnostics v_count = row_count;
    if v_count > 0 then
        perform pg_notify('nezuko_realtime', 'commands ' || pg_current_xact_id()::text);
    end if;
    return null;
end
$$;
comment on function triggers.realtime_command() is 'Realtime: copies each new admin_commands row and each status change into realtime_events (event command_updated, channel commands) and rings once per statement.';

create trigger realtime_command_insert after insert on nezuko.admin_commands
referencing new table as new_rows
for each statement execute function triggers.realtime_command();
create trigger realtime_command_update after update on nezuko.admin_commands
referencing old table as old_rows new table as new_rows
for each statement execute function triggers.realtime_command();
