-- analytics.hour_ceil: the first UTC hour boundary at or after p_t. Rollup
-- hours from here on are whole; the part of the window before it is read
-- from the raw log (at most one hour of rows).
-- Written with immutable operators only (timestamptz <-> UTC timestamp,
-- date_trunc and interval arithmetic on timestamp), so the planner inlines
-- it: a constant argument folds to a constant at plan time, and in a
-- generic plan it costs a few C calls per row instead of a SQL function
-- call. Timestamps have microsecond resolution, so "the hour of the last
-- microsecond before p_t, plus an hour" is the ceiling (p_t itself when it
-- is on the hour; +-infinity stay as they are).
create function analytics.hour_ceil(p_t timestamptz) returns timestamptz
language sql immutable parallel safe as $$
    select (date_trunc('hour', (p_t at time zone 'UTC') - interval '1 microsecond') + interval '1 hour')
        at time zone 'UTC'
$$;
comment on function analytics.hour_ceil(timestamptz) is 'First UTC hour boundary at or after p_t.';
