-- analytics.api_call_counts: api_call_log counts per UTC hour, method and
-- outcome for the window [p_from, p_to]; p_group_id narrows to calls into
-- that chat. As analytics.verification_counts: the hourly rollups from
-- analytics.rollup_from(p_from, p_to) on, and the raw rows between p_from
-- and it, added or (with negative counts) subtracted; at most half an hour
-- of the log; the rows after p_to in its hour subtracted (a window ending
-- in the past is exact). Callers sum, and a sum may be 0.
create function analytics.api_call_counts(p_from timestamptz, p_to timestamptz, p_group_id bigint)
returns table (hour timestamptz, method text, success boolean, n bigint, latency_sum bigint)
language sql stable as $$
    select r.hour, r.method, r.success, r.n, r.latency_sum
    from nezuko.api_call_hourly_all r
    where p_group_id is null and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
    union all
    select r.hour, r.method, r.success, r.n, r.latency_sum
    from nezuko.api_call_hourly r
    where p_group_id is not null and r.chat_id = p_group_id
      and r.hour >= analytics.rollup_from(p_from, p_to) and r.hour <= p_to
    union all
    -- The raw rows between p_from and rollup_from, as in verification_counts.
    select date_trunc('hour', c.timestamp, 'UTC'), c.method, c.success, sum(c.sign), sum(c.sign * c.latency_ms)
    from (
        select l.timestamp, l.method, l.success, l.latency_ms, 1 as sign
        from nezuko.api_call_log l
        where l.timestamp >= p_from and l.timestamp < analytics.hour_ceil(p_from) and l.timestamp <= p_to
          and p_from < analytics.rollup_from(p_from, p_to)
          and (p_group_id is null or (l.chat_id = p_group_id and l.chat_id < 0))
        union all
        select l.timestamp, l.method, l.success, l.latency_ms, -1
        from nezuko.api_call_log l
        where l.timestamp >= analytics.hour_floor(p_from) and l.timestamp < p_from
          and p_from > analytics.rollup_from(p_from, p_to)
          and (p_group_id is null or (l.chat_id = p_group_id and l.chat_id < 0))
        union all
        -- p_to's hour came from the rollup: subtract the rows after p_to
        -- (none when the window ends now).
        select l.timestamp, l.method, l.success, l.latency_ms, -1
        from nezuko.api_call_log l
        where l.timestamp > p_to and l.timestamp < analytics.hour_floor(p_to) + interval '1 hour'
          and analytics.hour_floor(p_to) >= analytics.rollup_from(p_from, p_to)
          and (p_group_id is null or (l.chat_id = p_group_id and l.chat_id < 0))
    ) c
    group by 1, 2, 3
$$;
comment on function analytics.api_call_counts(timestamptz, timestamptz, bigint) is
    'api_call_log counts per UTC hour, method and success over [p_from, p_to]: hourly rollups; the first partial hour from at most half an hour of raw rows (added, or subtracted from the hour''s rollup); rows after p_to in its hour subtracted. Rows may carry negative counts: sum them.';
