-- analytics.rollup_from: the first UTC hour the readers take from the
-- hourly rollups for the window [p_from, p_to]. Between it and p_from lies
-- the window's partial first hour, read from the raw log: the rows from
-- p_from up to it are added (it is the next hour boundary), or, when
-- p_from is early in its hour (analytics.head_from_rollup), it is the
-- start of that hour and the rows from it up to p_from are subtracted from
-- the hour's rollup. Either way at most half an hour of raw rows; p_from
-- itself when the window starts on the hour (no raw rows).
create function analytics.rollup_from(p_from timestamptz, p_to timestamptz) returns timestamptz
language sql immutable parallel safe as $$
    select case when analytics.head_from_rollup(p_from, p_to) then analytics.hour_floor(p_from)
                else analytics.hour_ceil(p_from) end
$$;
comment on function analytics.rollup_from(timestamptz, timestamptz) is
    'First UTC hour of [p_from, p_to] read from the hourly rollups; the raw rows between p_from and it are added (it is later) or subtracted (it is earlier).';
