-- analytics.api_call_counts: api_call_log counts per UTC hour, method and
-- outcome for the window [p_from, p_to]; p_group_id narrows to calls into
-- that chat. Rollups for whole hours; the first, partial hour as in
-- analytics.verification_counts: the raw rows from p_from to the end of the
-- hour, or that hour's rollup minus the raw rows before p_from, whichever
-- reads less of the log (at most half an hour). The subtracted rows carry
-- negative counts: callers sum, and a sum may be 0.
create function analytics.api_call_counts(p_from timestamptz, p_to timestamptz, p_group_id bigint)
returns table (hour timestamptz, method text, success boolean, n bigint, latency_sum bigint)
language sql stable as $$
    select r.hour, r.method, r.success, r.n, r.latency_sum
    from nezuko.api_call_hourly_all r
    where p_group_id is null and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
    union all
    select r.hour, r.method, r.success, r.n, r.latency_sum
    from nezuko.api_call_hourly r
    where p_group_id is not null and r.chat_id = p_group_id
      and r.hour >= analytics.hour_ceil(p_from) and r.hour <= p_to
    union all
    -- The first, partial hour, late start: raw rows [p_from, end of hour].
    select date_trunc('hour', c.timestamp, 'UTC'), c.method, c.success, count(*), sum(c.latency_ms)
    from nezuko.api_call_log c
    where c.timestamp >= p_from and c.timestamp < analytics.hour_ceil(p_from) and c.timestamp <= p_to
      and p_from < analytics.hour_ceil(p_from) and not analytics.head_from_rollup(p_from, p_to)
      and (p_group_id is null or (c.chat_id = p_group_id and c.chat_id < 0))
    group by 1, 2, 3
    union all
    -- The first, partial hour, early start: the hour's rollup ...
    select r.hour, r.method, r.success, r.n, r.latency_sum
    from nezuko.api_call_hourly_all r
    where p_group_id is null and r.hour = analytics.hour_floor(p_from)
      and analytics.head_from_rollup(p_from, p_to)
    union all
    select r.hour, r.method, r.success, r.n, r.latency_sum
    from nezuko.api_call_hourly r
    where p_group_id is not null and r.chat_id = p_group_id and r.hour = analytics.hour_floor(p_from)
      and analytics.head_from_rollup(p_from, p_to)
    union all
    -- ... minus its raw rows before p_from.
    select date_trunc('hour', c.timestamp, 'UTC'), c.method, c.success, -count(*), -sum(c.latency_ms)
    from nezuko.api_call_log c
    where c.timestamp >= analytics.hour_floor(p_from) and c.timestamp < p_from
      and analytics.head_from_rollup(p_from, p_to)
      and (p_group_id is null or (c.chat_id = p_group_id and c.chat_id < 0))
    group by 1, 2, 3
$$;
comment on function analytics.api_call_counts(timestamptz, timestamptz, bigint) is
    'api_call_log counts per UTC hour, method and success over [p_from, p_to]: hourly rollups; the first partial hour from at most half an hour of raw rows (added, or subtracted from the hour''s rollup). Rows may carry negative counts: sum them.';
