-- triggers.realtime_new_log: rings the realtime doorbell once per INSERT
-- statement on admin_logs. The rows at INFO and above are the events
-- (bot.realtime_events skips DEBUG); a statement of DEBUG rows only rings
-- for nothing, which is harmless and cheaper than a transition table.
create function triggers.realtime_new_log() returns trigger
language plpgsql as $$
begin
    perform pg_notify('nezuko_realtime', 'logs ' || pg_current_xact_id()::text);
    return null;
end
$$;
comment on function triggers.realtime_new_log() is 'Realtime doorbell for channel logs (event new_log): one NOTIFY per statement.';

create trigger realtime_new_log after insert on nezuko.admin_logs
for each statement execute function triggers.realtime_new_log();
