-- Analytics rollups: what the dashboard's api.get_* functions read instead
-- of the raw logs.
--
-- Why: on this project's 2-core machine a 30-day daily x status aggregation
-- over 10 M raw verification_log rows takes 2.5-3 s; the same answer from an
-- hourly rollup takes a few ms (shared/PITFALLS.md, tests/bench/README.md).
--
-- How they stay right: statement-level AFTER triggers with transition tables
-- (triggers/analytics_*.sql) fold each INSERT, DELETE (retention), UPDATE or
-- TRUNCATE of a log into these tables, one upsert per statement, whoever
-- writes (bridge or a DBA by hand). Counts are exact, never sampled. A
-- per-row trigger would update the same hot rollup rows thousands of times
-- per batch (a 100k-row INSERT went from 0.34 s to 32 s in PITFALLS.md).
--
-- Hours are UTC hours (date_trunc('hour', ts, 'UTC')), whatever the session
-- time zone. Each rollup has a per-group table (for p_group_id filters) and
-- an all-groups table (so "all groups" reads one row per hour and key, not
-- one per group). group_id / chat_id may be null, as in the logs: the unique
-- keys use NULLS NOT DISTINCT so a null group is one key, like any other.
-- Rows whose count drops to 0 (after deletes) are removed.
--
-- Deletes are folded in by the same upsert with negative counts, so the
-- counts carry no CHECK (n >= 0): PostgreSQL checks a row's constraints
-- before it finds the conflict. Instead each trigger reads the counts its
-- upsert returns, raises on one gone negative (a log row deleted that was
-- never counted) naming the repair, and deletes by ctid those that reached 0.
-- No index covers n (not even a partial one), and the tables keep free
-- space in each page (fillfactor 70), so that the many updates of a count
-- are HOT updates that write no index entries.
--
-- If a rollup is ever suspected wrong, nezuko.rebuild_analytics_rollups()
-- recomputes all of them from the logs.

-- Latency histogram buckets, for p95 with bounded error. Bucket b holds
-- latencies in [1.1^b, 1.1^(b+1)) ms (bucket 0 also holds 0 ms), capped at
-- bucket 120 (about 92.7 s). Reporting a bucket by its geometric middle
-- 1.1^(b+0.5) is within 4.9 % of any latency in it (or 1 ms for 0-1 ms).
-- Here, not in a code package, because both packages (triggers write the
-- buckets, api functions read them back) must agree on it.
-- Not strict, so the planner inlines it (a strict SQL function whose body
-- is not strict is called per row: 200 ms per 100k rows here).
create function nezuko.latency_bucket(p_latency_ms integer) returns smallint
language sql immutable parallel safe as $$
    select case when p_latency_ms is not null
        then least(120, floor(ln(greatest(p_latency_ms, 1)::float8) / ln(1.1::float8) + 1e-9))::smallint end
$$;
comment on function nezuko.latency_bucket(integer) is
    'Histogram bucket of a latency: floor(log base 1.1 of ms), 0..120. See verification_latency_daily.';

create function nezuko.latency_bucket_value(p_bucket smallint) returns numeric
language sql immutable strict parallel safe as $$
    select round(power(1.1::float8, p_bucket + 0.5)::numeric, 1)
$$;
comment on function nezuko.latency_bucket_value(smallint) is
    'The latency (ms) reported for a histogram bucket: its geometric middle, within 4.9 % of any value in it.';

-- Verification counts per hour, group, status and cache hit.
create table nezuko.verification_hourly (
    hour        timestamptz not null,
    group_id    bigint,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0
) with (fillfactor = 70);
create unique index verification_hourly_key on nezuko.verification_hourly
    (group_id, hour, status, cached) nulls not distinct;
comment on table nezuko.verification_hourly is 'Rollup of verification_log per UTC hour, group, status and cache hit (exact counts, kept by statement-level triggers). Read by api.get_* for group-filtered answers.';
comment on column nezuko.verification_hourly.hour is 'Start of the UTC hour (date_trunc(''hour'', timestamp, ''UTC'')).';
comment on column nezuko.verification_hourly.latency_sum is 'Sum of latency_ms, so averages are exact: latency_sum / n.';
comment on column nezuko.verification_hourly.lat_lt_50 is 'Rows with latency_ms < 50 (the dashboard''s latency distribution bands: <50, 50-100, 100-200, 200-500, >=500).';

create table nezuko.verification_hourly_all (
    hour        timestamptz not null,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0,
    primary key (hour, status, cached)
) with (fillfactor = 70);
comment on table nezuko.verification_hourly_all is 'verification_hourly summed over all groups: "all groups" answers read one row per hour and key instead of one per group.';

-- The all-groups counts again per UTC day: a 90-day answer in UTC reads
-- ~90 x 6 rows instead of ~2,160 x 6. Whole UTC days inside a window come
-- from here, the hours around them from verification_hourly_all.
create table nezuko.verification_daily_all (
    day         timestamptz not null,
    status      text not null,
    cached      boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    lat_lt_50   bigint not null default 0,
    lat_50_100  bigint not null default 0,
    lat_100_200 bigint not null default 0,
    lat_200_500 bigint not null default 0,
    lat_ge_500  bigint not null default 0,
    primary key (day, status, cached)
) with (fillfactor = 70);
comment on table nezuko.verification_daily_all is 'verification_hourly_all summed per UTC day (day = UTC midnight), for long windows with day or coarser buckets in UTC.';

-- Latency histogram (for p95). Per group it is kept per UTC day, not per
-- hour: per hour it grew to ~4 M rows at 10 M log rows (50 groups x 2,160
-- hours x ~35 buckets) and its upserts were most of the ingest cost; per
-- day it is ~180 k rows. Per-group p95 reads whole UTC days from here and
-- the rest of the window (at most two partial days of one group) from the
-- log through idx_verification_log_group_timestamp.
create table nezuko.verification_latency_daily (
    day      timestamptz not null,
    group_id bigint,
    bucket   smallint not null check (bucket between 0 and 120),
    n        bigint not null
) with (fillfactor = 70);
create unique index verification_latency_daily_key on nezuko.verification_latency_daily
    (group_id, day, bucket) nulls not distinct;
comment on table nezuko.verification_latency_daily is 'Histogram of verification_log.latency_ms per UTC day and group, buckets of nezuko.latency_bucket (x1.1 wide): p95 from it is within 5 % of the exact value.';

create table nezuko.verification_latency_hourly_all (
    hour   timestamptz not null,
    bucket smallint not null check (bucket between 0 and 120),
    n      bigint not null,
    primary key (hour, bucket)
) with (fillfactor = 70);
comment on table nezuko.verification_latency_hourly_all is 'Histogram of verification_log.latency_ms per UTC hour over all groups (buckets of nezuko.latency_bucket).';

-- All-time verification totals per group: get_top_groups ranks groups
-- without summing every hour of every group.
create table nezuko.verification_group_totals (
    group_id bigint primary key,
    n        bigint not null,
    verified bigint not null
) with (fillfactor = 70);
comment on table nezuko.verification_group_totals is 'verification_log rows per group (rows with a group_id), all retained time: total and verified. Kept by the verification rollup trigger.';

create table nezuko.verification_latency_daily_all (
    day    timestamptz not null,
    bucket smallint not null check (bucket between 0 and 120),
    n      bigint not null,
    primary key (day, bucket)
) with (fillfactor = 70);
comment on table nezuko.verification_latency_daily_all is 'verification_latency_hourly_all summed per UTC day: p95 per day over 90 days reads ~90 x 60 rows instead of ~2,160 x 60.';

-- Bot API calls per hour, chat, method and outcome.
create table nezuko.api_call_hourly (
    hour        timestamptz not null,
    chat_id     bigint,
    method      text not null,
    success     boolean not null,
    n           bigint not null,
    latency_sum bigint not null
) with (fillfactor = 70);
create unique index api_call_hourly_key on nezuko.api_call_hourly
    (chat_id, hour, method, success) nulls not distinct;
comment on table nezuko.api_call_hourly is 'Rollup of api_call_log per UTC hour, chat, method and success. Only group and channel chats (negative ids) are kept apart; calls into private chats (positive ids, one per user) are folded into chat_id null, so the table stays small.';

create table nezuko.api_call_hourly_all (
    hour        timestamptz not null,
    method      text not null,
    success     boolean not null,
    n           bigint not null,
    latency_sum bigint not null,
    primary key (hour, method, success)
) with (fillfactor = 70);
comment on table nezuko.api_call_hourly_all is 'api_call_hourly summed over all chats.';

-- Users' first-seen times, for growth. Insert-only by design: a user stays
-- counted when retention deletes their old log rows (growth charts must not
-- shrink as logs age out), and moves earlier when a DBA backfills an older row.
create table nezuko.user_first_seen (
    user_id    bigint primary key,
    first_seen timestamptz not null,
    previous_first_seen timestamptz
);
create index user_first_seen_time on nezuko.user_first_seen (first_seen);
comment on table nezuko.user_first_seen is 'When each Telegram user first appeared in verification_log (any group). Kept by trigger; not reduced by log retention.';
comment on column nezuko.user_first_seen.previous_first_seen is 'The first_seen a backfill replaced (null if never moved). The trigger''s upsert returns it (null = a new user), so it can move the user''s count out of the old hour in one pass.';

create table nezuko.group_user_first_seen (
    group_id   bigint not null,
    user_id    bigint not null,
    first_seen timestamptz not null,
    previous_first_seen timestamptz,
    primary key (group_id, user_id)
);
create index group_user_first_seen_time on nezuko.group_user_first_seen (group_id, first_seen);
comment on table nezuko.group_user_first_seen is 'When each user first appeared in verification_log for one group (rows with a group_id). Kept by trigger; not reduced by log retention.';

create table nezuko.new_users_hourly_all (
    hour timestamptz primary key,
    n    bigint not null
) with (fillfactor = 70);
comment on table nezuko.new_users_hourly_all is 'Users whose first_seen (user_first_seen) falls in each UTC hour: growth series without counting user_first_seen.';

create table nezuko.new_users_hourly (
    group_id bigint not null,
    hour     timestamptz not null,
    n        bigint not null,
    primary key (group_id, hour)
) with (fillfactor = 70);
comment on table nezuko.new_users_hourly is 'Per group: users whose first_seen in that group (group_user_first_seen) falls in each UTC hour.';

-- bot_status holds only each bot's current heartbeat; uptime over 7 days
-- needs history. A trigger on bot_status marks the minutes a heartbeat
-- covers (two heartbeat intervals from it, the "down" threshold).
create table nezuko.bot_alive_minutes (
    minute timestamptz primary key
);
comment on table nezuko.bot_alive_minutes is 'UTC minutes in which at least one bot had a fresh heartbeat (status not offline/error, under two heartbeat intervals old). Written by a trigger on bot_status; read by api.get_bot_health for uptime_percent.';

insert into nezuko.bot_alive_minutes (minute)
select distinct m
from nezuko.bot_status s
cross join lateral generate_series(
    date_trunc('minute', s.last_heartbeat, 'UTC'),
    s.last_heartbeat + 2 * make_interval(secs => coalesce(
        (select (value::text)::int from nezuko.admin_config where key = 'heartbeat_interval_seconds'), 30))
        - interval '1 microsecond',
    interval '1 minute') m
where s.status not in ('offline', 'error');

-- Recompute every rollup from the logs (a repair tool for DBAs; also used
-- by the tests to compare against the incremental maintenance).
create function nezuko.rebuild_analytics_rollups() returns void
language plpgsql set jit = off as $$
begin
    lock table nezuko.verification_log, nezuko.api_call_log in share mode;
    truncate nezuko.verification_hourly, nezuko.verification_hourly_all,
        nezuko.verification_latency_daily, nezuko.verification_latency_hourly_all,
        nezuko.api_call_hourly, nezuko.api_call_hourly_all, nezuko.verification_group_totals,
        nezuko.verification_daily_all, nezuko.verification_latency_daily_all;
    insert into nezuko.verification_hourly
    select date_trunc('hour', timestamp, 'UTC'), group_id, status, cached, count(*), sum(latency_ms),
        count(*) filter (where latency_ms < 50), count(*) filter (where latency_ms >= 50 and latency_ms < 100),
        count(*) filter (where latency_ms >= 100 and latency_ms < 200),
        count(*) filter (where latency_ms >= 200 and latency_ms < 500), count(*) filter (where latency_ms >= 500)
    from nezuko.verification_log group by 1, 2, 3, 4;
    insert into nezuko.verification_hourly_all
    select hour, status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100), sum(lat_100_200),
        sum(lat_200_500), sum(lat_ge_500)
    from nezuko.verification_hourly group by 1, 2, 3;
    insert into nezuko.verification_group_totals
    select group_id, sum(n), coalesce(sum(n) filter (where status = 'verified'), 0)
    from nezuko.verification_hourly where group_id is not null group by 1;
    insert into nezuko.verification_latency_hourly_all
    select date_trunc('hour', timestamp, 'UTC'), nezuko.latency_bucket(latency_ms), count(*)
    from nezuko.verification_log group by 1, 2;
    insert into nezuko.verification_latency_daily
    select date_trunc('day', timestamp, 'UTC'), group_id, nezuko.latency_bucket(latency_ms), count(*)
    from nezuko.verification_log group by 1, 2, 3;
    insert into nezuko.verification_daily_all
    select date_trunc('day', hour, 'UTC'), status, cached, sum(n), sum(latency_sum), sum(lat_lt_50), sum(lat_50_100),
        sum(lat_100_200), sum(lat_200_500), sum(lat_ge_500)
    from nezuko.verification_hourly_all group by 1, 2, 3;
    insert into nezuko.verification_latency_daily_all
    select date_trunc('day', hour, 'UTC'), bucket, sum(n) from nezuko.verification_latency_hourly_all group by 1, 2;
    insert into nezuko.api_call_hourly
    select date_trunc('hour', timestamp, 'UTC'), case when chat_id < 0 then chat_id end, method, success,
        count(*), sum(latency_ms)
    from nezuko.api_call_log group by 1, 2, 3, 4;
    insert into nezuko.api_call_hourly_all
    select hour, method, success, sum(n), sum(latency_sum) from nezuko.api_call_hourly group by 1, 2, 3;
    -- First-seen times only move earlier (they survive retention).
    insert into nezuko.user_first_seen as f (user_id, first_seen)
    select user_id, min(timestamp) from nezuko.verification_log group by 1
    on conflict (user_id) do update set first_seen = excluded.first_seen, previous_first_seen = f.first_seen
        where excluded.first_seen < f.first_seen;
    insert into nezuko.group_user_first_seen as f (group_id, user_id, first_seen)
    select group_id, user_id, min(timestamp) from nezuko.verification_log where group_id is not null group by 1, 2
    on conflict (group_id, user_id) do update set first_seen = excluded.first_seen, previous_first_seen = f.first_seen
        where excluded.first_seen < f.first_seen;
    truncate nezuko.new_users_hourly_all, nezuko.new_users_hourly;
    insert into nezuko.new_users_hourly_all
    select date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.user_first_seen group by 1;
    insert into nezuko.new_users_hourly
    select group_id, date_trunc('hour', first_seen, 'UTC'), count(*) from nezuko.group_user_first_seen group by 1, 2;
end
$$;
comment on function nezuko.rebuild_analytics_rollups() is
    'Recomputes every analytics rollup from verification_log and api_call_log (locks the logs against writes meanwhile). First-seen times are kept and only moved earlier.';

-- Logs written before this migration are rolled up now; from here on the
-- triggers of the triggers package keep the rollups current.
select nezuko.rebuild_analytics_rollups();
