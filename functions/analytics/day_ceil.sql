-- analytics.day_ceil: the first UTC midnight at or after p_t.
create function analytics.day_ceil(p_t timestamptz) returns timestamptz
language sql immutable parallel safe as $$
    select case when p_t = date_trunc('day', p_t, 'UTC') then p_t
                else date_trunc('day', p_t, 'UTC') + interval '1 day' end
$$;
comment on function analytics.day_ceil(timestamptz) is 'First UTC midnight at or after p_t.';
