-- analytics.head_from_rollup: whether the readers take the first, partial
-- hour of the window [p_from, p_to] as "that hour's rollup minus the raw
-- rows before p_from" rather than "the raw rows from p_from to the end of
-- the hour". True when the window starts inside an hour, in its first half,
-- and holds the rest of that hour: the raw read is then the shorter side,
-- so it never covers more than half an hour of the log, whatever the
-- minute of the hour the window starts at.
create function analytics.head_from_rollup(p_from timestamptz, p_to timestamptz) returns boolean
language sql immutable parallel safe as $$
    select p_from > analytics.hour_floor(p_from)
       and p_from - analytics.hour_floor(p_from) < interval '30 minutes'
       and analytics.hour_ceil(p_from) <= p_to
$$;
comment on function analytics.head_from_rollup(timestamptz, timestamptz) is
    'True when the partial first hour of [p_from, p_to] is read as its hourly rollup minus the raw rows before p_from (p_from in the first half of its UTC hour, the rest of that hour inside the window).';
