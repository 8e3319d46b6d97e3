-- triggers.api_call_log_rollup: keeps api_call_hourly and api_call_hourly_all
-- exact, once per statement (see triggers.verification_log_rollup for why).
-- Private chats (positive chat ids) fold into chat_id null.
create function triggers.api_call_log_rollup() returns trigger
language plpgsql
-- JIT compiling would cost more than the rollup work of a statement.
set jit = off
as $$
declare
    counts constant text := $q$
        with d as (
            select date_trunc('hour', c.timestamp, 'UTC') as hour,
                case when c.chat_id < 0 then c.chat_id end as chat_id, c.method, c.success,
                $1 * count(*) as n, $1 * sum(c.latency_ms) as latency_sum
            from %1$I c
            group by 1, 2, 3, 4
        ), a as (
            insert into nezuko.api_call_hourly_all as r
            select hour, method, success, sum(n), sum(latency_sum) from d group by 1, 2, 3 order by 1, 2, 3
            on conflict (hour, method, success) do update set
                n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum
        )
        insert into nezuko.api_call_hourly as r
        select * from d order by chat_id, hour, method, success
        on conflict (chat_id, hour, method, success) do update set
            n = r.n + excluded.n, latency_sum = r.latency_sum + excluded.latency_sum
    $q$;
begin
    if tg_op = 'TRUNCATE' then
        truncate nezuko.api_call_hourly, nezuko.api_call_hourly_all;
        return null;
    end if;
    if tg_op in ('DELETE', 'UPDATE') then
        execute format(counts, 'old_rows') using -1;
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        execute format(counts, 'new_rows') using 1;
    end if;
    if tg_op in ('DELETE', 'UPDATE') then
        perform triggers.rollup_settle('nezuko.api_call_hourly');
        perform triggers.rollup_settle('nezuko.api_call_hourly_all');
    end if;
    return null;
end
$$;

create trigger analytics_rollup_insert after insert on nezuko.api_call_log
    referencing new table as new_rows for each statement execute function triggers.api_call_log_rollup();
create trigger analytics_rollup_delete after delete on nezuko.api_call_log
    referencing old table as old_rows for each statement execute function triggers.api_call_log_rollup();
create trigger analytics_rollup_update after update on nezuko.api_call_log
    referencing old table as old_rows new table as new_rows for each statement execute function triggers.api_call_log_rollup();
create trigger analytics_rollup_truncate after truncate on nezuko.api_call_log
    for each statement execute function triggers.api_call_log_rollup();
