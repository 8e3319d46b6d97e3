-- triggers.realtime_bot_status: every inserted or changed bot_status row
-- (heartbeats included: uptime and counters are what the dashboard shows
-- live) becomes a status_changed event in the outbox, with the row as it
-- is now; then one NOTIFY for the statement. An UPDATE that rewrites the
-- same values publishes nothing.
create function triggers.realtime_bot_status() returns trigger
language plpgsql as $$
declare
    v_count bigint;
begin
    if tg_op = 'INSERT' then
        insert into nezuko.realtime_events (channel, kind, source_id, data)
        select 'bot_status', 'status_changed', n.bot_instance_id, to_jsonb(n)
        from new_rows n
        order by n.bot_instance_id;
    else
        insert into nezuko.realtime_events (channel, kind, source_id, data)
        select 'bot_status', 'status_changed', n.bot_instance_id, to_jsonb(n)
        from new_rows n
        left join old_rows o on o.bot_instance_id = n.bot_instance_id
        where o is null or to_jsonb(o) is distinct from to_jsonb(n)
        order by n.bot_instance_id;
    end if;
    get diagnostics v_count = row_count;
    if v_count > 0 then
        perform pg_notify('nezuko_realtime', 'bot_status ' || pg_current_xact_id()::text);
    end if;
    return null;
end
$$;
comment on function triggers.realtime_bot_status() is 'Realtime: copies each new or changed bot_status row into realtime_events (event status_changed, channel bot_status) and rings once per statement.';

-- A trigger with transition tables has one event, hence two triggers.
create trigger realtime_bot_status_insert after insert on nezuko.bot_status
referencing new table as new_rows
for each statement execute function triggers.realtime_bot_status();
create trigger realtime_bot_status_update after update on nezuko.bot_status
referencing old table as old_rows new table as new_rows
for each statement execute function triggers.realtime_bot_status();
