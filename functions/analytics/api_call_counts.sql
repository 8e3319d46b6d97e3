-- analytics.api_call_counts: api_call_log counts per UTC hour, method and
-- outcome for the window [p_from, p_to]; p_group_id narrows to calls into
-- that chat. Rollups for whole hours, the raw log for the first partial hour.
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
    select date_trunc('hour', c.timestamp, 'UTC'), c.method, c.success, count(*), sum(c.latency_ms)
    from nezuko.api_call_log c
    where c.timestamp >= p_from and c.timestamp < analytics.hour_ceil(p_from) and c.timestamp <= p_to
      and p_from < analytics.hour_ceil(p_from)  -- no partial hour: skip the scan
      and (p_group_id is null or (c.chat_id = p_group_id and c.chat_id < 0))
    group by 1, 2, 3
$$;
comment on function analytics.api_call_counts(timestamptz, timestamptz, bigint) is
    'api_call_log counts per UTC hour, method and success over [p_from, p_to]: rollups for whole hours, raw rows for the first partial hour.';
