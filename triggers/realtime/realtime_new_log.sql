-- triggers.realtime_new_log: rings the realtime doorbell once per INSERT
-- statement on admin_logs that wrote at least one row at INFO or above
-- (DEBUG rows are not events). The rows themselves are the events.
create function triggers.realtime_new_log() returns trigger
language plpgsql as $$
begin
    if exists (select from new_rows where level <> 'DEBUG') then
        perform pg_notify('nezuko_realtime', 'logs ' || pg_current_xact_id()::text);
    end if;
    return null;
end
$$;
comment on function triggers.realtime_new_log() is 'Realtime doorbell for channel logs (event new_log): one NOTIFY per statement with an INFO, WARNING, ERROR or CRITICAL row.';

create trigger realtime_new_log after insert on nezuko.admin_logs
referencing new table as new_rows
for each statement execute function triggers.realtime_new_log();
