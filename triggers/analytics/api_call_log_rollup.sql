-- triggers.api_call_log_rollup: keeps api_call_hourly and api_call_hourly_all
-- exact, once per statement (see triggers.verification_log_rollup for why
-- and how: the transition table is always changed_rows, the trigger's
-- argument says whether its rows were added (+1) or removed (-1), so the
-- statement below is static SQL, planned once per session). Private chats
-- (positive chat ids) fold into chat_id null.
create function triggers.api_call_log_rollup() returns trigger
language plpgsql
-- JIT compiling would cost more than the rollup work of a statement.
set jit = off
as $$
declare
    -- +1: changed_rows were added to the log; -1: they were removed.
    v_sign constant integer := tg_argv[0]::integer;
    v_min bigint;
    z1 tid[]; z2 tid[];
begin
    -- Retention (bot.prune_logs_batch sets nezuko.retention for its
    -- transaction) removes raw rows but keeps their aggregates.
    if tg_op = 'DELETE' and current_setting('nezuko.retention', true) = 'on' then
        return null;
    end if;
    if tg_op = 'TRUNCATE' then
        truncate nezuko.api_call_hourly, nezuko.api_call_hourly_all;
        return null;
    end if;
    with d as (
        select date_bin('1 hour', c.timestamp, timestamptz '2000-01-01 00:00:00+00') as hour,  -- = date_trunc('hour', ., 'UTC'), no time zone lookup
            case when c.chat_id < 0 then c.chat_id end as chat_id, c.method, c.success,
            v_sign * count(*) as n, v_sign * sum(c.latency_ms) as latency_sum
        from changed_rows c
        group by 1, 2, 3, 4
    ), m as (
        insert into nezuko.api_call_hourly as r
        select * from d order by chat_id, hour, method, success
        on conflict (chat_id, hour, method, success) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum
        returning 1 as t, r.ctid, r.n
    ), a as (
        insert into nezuko.api_call_hourly_all as r
        select hour, method, success, sum(n), sum(latency_sum) from d group by 1, 2, 3 order by 1, 2, 3
        on conflict (hour, method, success) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum
        returning 2 as t, r.ctid, r.n
    )
    select min(n), array_agg(ctid) filter (where t = 1 and n = 0), array_agg(ctid) filter (where t = 2 and n = 0)
    into v_min, z1, z2
    from (table m union all table a) x;
    if v_min < 0 then
        raise exception 'the api_call_log rollups no longer match the log (a count went below 0)'
            using errcode = '55000', hint = 'Repair them with: select analytics.rebuild_analytics_rollups();';
    end if;
    if z1 is not null then delete from nezuko.api_call_hourly where ctid = any (z1); end if;
    if z2 is not null then delete from nezuko.api_call_hourly_all where ctid = any (z2); end if;
    return null;
end
$$;
comment on function triggers.api_call_log_rollup() is
    'Statement-level trigger on api_call_log (argument +1: changed_rows added, -1: removed): folds the rows into api_call_hourly and api_call_hourly_all, once per statement.';

create trigger analytics_rollup_insert after insert on nezuko.api_call_log
    referencing new table as changed_rows for each statement execute function triggers.api_call_log_rollup('+1');
create trigger analytics_rollup_delete after delete on nezuko.api_call_log
    referencing old table as changed_rows for each statement execute function triggers.api_call_log_rollup('-1');
-- An UPDATE adds the rows as they are now and removes them as they were
-- (two triggers, fired in name order: new, then old).
create trigger analytics_rollup_update_new after update on nezuko.api_call_log
    referencing new table as changed_rows for each statement execute function triggers.api_call_log_rollup('+1');
create trigger analytics_rollup_update_old after update on nezuko.api_call_log
    referencing old table as changed_rows for each statement execute function triggers.api_call_log_rollup('-1');
create trigger analytics_rollup_truncate after truncate on nezuko.api_call_log
    for each statement execute function triggers.api_call_log_rollup();
