-- analytics.cuts_every_hour: whether the UTC offset of time zone p_tz at
-- p_at is not a whole number of hours (Asia/Kolkata +05:30, Asia/Kathmandu
-- +05:45, America/St_Johns -03:30 ...), so that every UTC hour is cut by a
-- local hour boundary. The bucket readers then give out every hour as its
-- four quarters (analytics.verification_buckets, analytics.latency_buckets)
-- instead of testing each hour; cutting an hour no boundary cuts (an offset
-- that changes inside the window) costs only the read of its quarters.
create function analytics.cuts_every_hour(p_at timestamptz, p_tz text) returns boolean
language sql stable parallel safe as $$
    select extract(minute from (p_at at time zone p_tz) - (p_at at time zone 'UTC')) <> 0
$$;
comment on function analytics.cuts_every_hour(timestamptz, text) is
    'True when the UTC offset of p_tz at p_at is not a whole number of hours: local hour boundaries cut every UTC hour.';
