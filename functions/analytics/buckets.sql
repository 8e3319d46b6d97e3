-- analytics.buckets: every bucket (hour, day or week, in time zone p_tz) that
-- the window [p_from, p_to] touches, in time order, so a series has no gaps.
-- local_start is the bucket's start as local time, the join key for
-- date_trunc(p_granularity, hour at time zone p_tz) of the rollup hours.
create function analytics.buckets(p_from timestamptz, p_to timestamptz, p_granularity text, p_tz text)
returns table (local_start timestamp, bucket_start timestamptz, bucket_end timestamptz)
language sql stable as $$
    select l, l at time zone p_tz, (l + ('1 ' || p_granularity)::interval) at time zone p_tz
    from generate_series(date_trunc(p_granularity, p_from at time zone p_tz),
                         p_to at time zone p_tz, ('1 ' || p_granularity)::interval) l
$$;
comment on function analytics.buckets(timestamptz, timestamptz, text, text) is 'Buckets of a window in a time zone, gap-free and in order.';
