-- analytics.day_ceil: the first UTC midnight at or after p_t.
-- Stable, not immutable: it adds an interval and truncates in a named
-- zone (both stable in PostgreSQL), and declared immutable it could not be
-- inlined, so a raw-log scan ran it as a function call for every row its
-- BRIN bitmap rechecked (~2 us each). Inlined, the planner still evaluates
-- it for its estimates.
create function analytics.day_ceil(p_t timestamptz) returns timestamptz
language sql stable parallel safe as $$
    select case when p_t = date_trunc('day', p_t, 'UTC') then p_t
                else date_trunc('day', p_t, 'UTC') + interval '1 day' end
$$;
comment on function analytics.day_ceil(timestamptz) is 'First UTC midnight at or after p_t.';
