-- analytics.hour_ceil: the first UTC hour boundary at or after p_t. Rollup
-- hours from here on are whole; the part of the window before it is read
-- from the raw log (at most one hour of rows).
create function analytics.hour_ceil(p_t timestamptz) returns timestamptz
language sql immutable parallel safe as $$
    select case when p_t = date_trunc('hour', p_t, 'UTC') then p_t
                else date_trunc('hour', p_t, 'UTC') + interval '1 hour' end
$$;
comment on function analytics.hour_ceil(timestamptz) is 'First UTC hour boundary at or after p_t.';
