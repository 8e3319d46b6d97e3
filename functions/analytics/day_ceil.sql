-- analytics.day_ceil: the first UTC midnight at or after p_t. Inlinable and
-- immutable for the same reasons as analytics.hour_ceil.
create function analytics.day_ceil(p_t timestamptz) returns timestamptz
language sql immutable parallel safe as $$
    select (date_trunc('day', (p_t at time zone 'UTC') - interval '1 microsecond') + interval '1 day')
        at time zone 'UTC'
$$;
comment on function analytics.day_ceil(timestamptz) is 'First UTC midnight at or after p_t.';
