-- analytics.hour_floor: the start of the UTC hour holding p_t (inlinable and
-- immutable, like analytics.hour_ceil).
create function analytics.hour_floor(p_t timestamptz) returns timestamptz
language sql immutable parallel safe as $$
    select date_trunc('hour', p_t at time zone 'UTC') at time zone 'UTC'
$$;
comment on function analytics.hour_floor(timestamptz) is 'Start of the UTC hour holding p_t.';
