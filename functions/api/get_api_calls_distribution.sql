-- api.get_api_calls_distribution: Bot API calls per method.
create function api.get_api_calls_distribution(
    p_period nezuko.period default '7d',
    p_group_id bigint default null
) returns table (method text, count bigint, percentage numeric)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
-- These read a few thousand rollup rows: JIT compiling (100+ ms here) and
-- starting parallel workers (ms, and far more on a busy machine) cost more
-- than the query.
set jit = off
set max_parallel_workers_per_gather = 0
-- Generic plans for the statements inside (analytics.verification_counts
-- and the other readers are inlined SQL written for them: a branch a call
-- does not take is a one-time filter): the default (auto) kept making a
-- custom plan on every call here, whose planning cost 1-3 ms per call.
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
declare
    v_to timestamptz := now();
    v_from timestamptz := v_to - analytics.period(p_period);
begin
    return query
    select m.method, m.n, analytics.pct(m.n, sum(m.n) over ())
    from (
        select r.method, sum(r.n::float8)::bigint as n
        from analytics.api_call_counts(v_from, v_to, p_group_id) r
        group by r.method
        -- A method called only before p_from in the window's first hour
        -- sums to 0 (its rollup count minus its raw rows): not a row.
        having sum(r.n::float8) > 0
    ) m
    order by m.n desc, m.method;
end
$$;
comment on function api.get_api_calls_distribution(nezuko.period, bigint) is $$Telegram Bot API calls per method over the window [now - p_period, now], most frequent first.
One row per method called: method (e.g. getChatMember), count, percentage of all calls (one decimal). No rows when there were no calls.
- p_period: 24h, 7d (default), 30d or 90d.
- p_group_id: only calls into this group or channel (a negative chat id; calls into private chats are not kept per chat) (default: all calls).
Errors: 22023 (HTTP 400) for an unknown p_period.$$;
grant execute on function api.get_api_calls_distribution(nezuko.period, bigint) to nezuko_viewer, nezuko_admin;
