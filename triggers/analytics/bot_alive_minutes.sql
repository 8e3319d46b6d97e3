-- triggers.bot_alive_minutes: bot_status keeps only the latest heartbeat;
-- this records, per statement, the UTC minutes each heartbeat vouches for
-- of a bot that is online (healthy: not degraded, error or offline), from
-- the heartbeat to two heartbeat intervals later (after which a bot
-- counts as down), so api.get_bot_health can tell uptime over 7 days.
-- Resolution is one minute: a bot that stops is counted alive up to the
-- end of the minute its heartbeat expires in.
create function triggers.bot_alive_minutes() returns trigger
language plpgsql
-- JIT compiling would cost more than the rollup work of a statement.
set jit = off
as $$
declare
    v_interval interval := make_interval(secs => coalesce(
        (select (value::text)::int from nezuko.admin_config where key = 'heartbeat_interval_seconds'), 30));
begin
    insert into nezuko.bot_alive_minutes (minute)
    select distinct m
    from new_rows s
    cross join lateral generate_series(
        date_trunc('minute', s.last_heartbeat, 'UTC'),
        s.last_heartbeat + 2 * v_interval - interval '1 microsecond',
        interval '1 minute') m
    where s.status = 'online' -- degraded and error are not healthy time
    order by 1
    on conflict (minute) do nothing;
    return null;
end
$$;

create trigger analytics_bot_alive_insert after insert on nezuko.bot_status
    referencing new table as new_rows for each statement execute function triggers.bot_alive_minutes();
create trigger analytics_bot_alive_update after update on nezuko.bot_status
    referencing new table as new_rows for each statement execute function triggers.bot_alive_minutes();
