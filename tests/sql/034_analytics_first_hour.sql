-- The first, partial hour of a window: the readers take it either as the
-- raw rows from p_from to the end of the hour, or (p_from early in its hour,
-- analytics.head_from_rollup) as that hour's rollup minus the raw rows
-- before p_from. The RPCs' windows move with now(), so each path is pinned
-- here with fixed windows around an hour full of rows placed by the test,
-- and every reader's answer is compared with a raw scan of the log. Also:
-- the hour helpers equal date_trunc, and stay inlinable.
begin;
select plan(18);

select setseed(0.42);

-- The hour helpers, on random instants and on the edges.
create temp table instants on commit drop as
select timestamptz '2020-01-01 00:00+00' + random() * interval '2500 days' as t from generate_series(1, 5000)
union all select date_trunc('hour', timestamptz '2026-03-29 01:00+00' + i * interval '17 minutes', 'UTC') from generate_series(1, 200) i
union all select unnest(array[timestamptz 'infinity', '-infinity', '2026-01-01 00:00:00.000001+00',
    '2026-01-01 00:59:59.999999+00', '2026-01-01 05:30:00+05:30', '2024-02-29 23:59:59.999999+00']);
select is((select count(*)::int from instants
           where analytics.hour_ceil(t) is distinct from case when t = date_trunc('hour', t, 'UTC') then t
                                                                else date_trunc('hour', t, 'UTC') + interval '1 hour' end), 0,
    'hour_ceil = the next UTC hour boundary (the instant itself on the hour), on 5,206 instants');
select is((select count(*)::int from instants
           where analytics.day_ceil(t) is distinct from case when t = date_trunc('day', t, 'UTC') then t
                                                               else date_trunc('day', t, 'UTC') + interval '1 day' end), 0,
    'day_ceil = the next UTC midnight (the instant itself at midnight)');
select is((select count(*)::int from instants where analytics.hour_floor(t) is distinct from date_trunc('hour', t, 'UTC')), 0,
    'hour_floor = date_trunc(hour, UTC)');
-- Inlined, a constant argument folds to a constant at plan time, and in a
-- generic plan a per-row recheck costs a few C calls, not a SQL function call.
create function pg_temp.plan_text(p_sql text) returns text language plpgsql as $$
declare r record; s text := '';
begin
    for r in execute 'explain (verbose, costs off) ' || p_sql loop s := s || r."QUERY PLAN" || E'\n'; end loop;
    return s;
end $$;
select unalike(pg_temp.plan_text($$select analytics.hour_ceil(t), analytics.day_ceil(t), analytics.hour_floor(t),
                                         analytics.head_from_rollup(t, t + interval '1 day') from instants$$),
    '%analytics.%', 'hour_ceil, day_ceil, hour_floor and head_from_rollup are inlined');

-- analytics.histogram_add (sql/005_analytics.sql: aggregates an ordered subquery instead of
-- sorting inside array_agg): by hand, and on random sorted histograms
-- against the same sum written with array_agg(... order by ...).
select results_eq(
    $$select * from analytics.histogram_add('{1,3,5}', '{1,1,1}', '{2,3,6}', '{4,-1,2}')
      union all select * from analytics.histogram_add('{7}', '{2}', '{7}', '{-2}')
      union all select * from analytics.histogram_add('{}', '{}', '{0,120}', '{3,1}')$$,
    $$values ('{1,2,5,6}'::smallint[], '{1,4,1,2}'::bigint[]), ('{}', '{}'), ('{0,120}', '{3,1}')$$,
    'histogram_add: buckets added, a bucket back at 0 dropped, an empty histogram');
create temp table hists on commit drop as
select i, array_agg(b order by b) filter (where s = 1) as b1, array_agg(n order by b) filter (where s = 1) as c1,
    array_agg(b order by b) filter (where s = 2) as b2, array_agg(n order by b) filter (where s = 2) as c2
from (select i, s, b::smallint as b, (1 + floor(random() * 50))::bigint * case when random() < 0.2 then -1 else 1 end as n
      from generate_series(1, 300) i, generate_series(1, 2) s, generate_series(0, 120) b
      where random() < 0.4) x
group by i;
select is((select count(*)::int from hists h, analytics.histogram_add(coalesce(h.b1, '{}'), coalesce(h.c1, '{}'),
                                                                   coalesce(h.b2, '{}'), coalesce(h.c2, '{}')) m,
          lateral (select coalesce(array_agg(bucket order by bucket), '{}') as b, coalesce(array_agg(n order by bucket), '{}') as c
                   from (select bucket, sum(n)::bigint as n
                         from (select * from unnest(h.b1, h.c1) union all select * from unnest(h.b2, h.c2)) y(bucket, n)
                         group by 1 having sum(n) <> 0) z) r
          where m.buckets is distinct from r.b or m.counts is distinct from r.c), 0,
    'histogram_add = the sum with array_agg(... order by ...), on 300 random pairs of histograms');

-- Which path: the rollup-minus-raw side only when it is the shorter read.
create temp table h on commit drop as select date_trunc('hour', now() - interval '3 days', 'UTC') as h;
select results_eq(
    $$select analytics.head_from_rollup(h + f, h + t) from h,
        (values (interval '0', interval '2 hours'), ('10 minutes', '2 hours'), ('29 minutes 59.999999 seconds', '2 hours'),
                ('30 minutes', '2 hours'), ('50 minutes', '2 hours'), ('10 minutes', '1 hour'),
                ('10 minutes', '59 minutes 59.999999 seconds')) x(f, t)$$,
    $$values (false), (true), (true), (false), (false), (true), (false)$$,
    'head_from_rollup: only inside the first half of the hour, and only when the window holds the rest of that hour');

-- The rows: the hours h-1 .. h+2 full of rows (two groups, no group,
-- private chats), plus rows on the edges the windows below cut at.
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 1 + floor(random() * 300)::bigint,
    (array[-2001, -2002, null]::bigint[])[1 + floor(random() * 3)::int],
    (array['verified', 'verified', 'restricted', 'error'])[1 + floor(random() * 4)::int],
    random() < 0.8, floor(exp(ln(3) + 2.5 * random()))::int,
    h - interval '1 hour' + random() * interval '3 hours'
from h, generate_series(1, 1200);
insert into nezuko.verification_log (user_id, group_id, status, cached, latency_ms, timestamp)
select 500 + i, -2001, 'verified', i % 2 = 0, 40 * i, h + e
from h, unnest(array[interval '0', '10 minutes', '10 minutes', '29 minutes 59.999999 seconds', '30 minutes',
                     '50 minutes', '59 minutes 59.999999 seconds', '1 hour']) with ordinality as x(e, i);
insert into nezuko.api_call_log (method, chat_id, success, latency_ms, timestamp)
select (array['getChatMember', 'sendMessage', 'restrictChatMember'])[1 + floor(random() * 3)::int],
    (array[-2001, -2002, 150, null]::bigint[])[1 + floor(random() * 4)::int],
    random() < 0.9, floor(random() * 400)::int,
    h - interval '1 hour' + random() * interval '3 hours'
from h, generate_series(1, 900);
-- A method called only early in the hour: from p_from = h + 10 min its
-- rollup count and its raw rows cancel out.
insert into nezuko.api_call_log (method, chat_id, success, latency_ms, timestamp)
select 'sendPhoto', -2001, true, 7, h + e
from h, unnest(array[interval '1 minute', '5 minutes', '9 minutes 59.999999 seconds']) e;

-- The windows: p_from on the hour, a microsecond after it, early, at the
-- half hour's edges, late; p_to after every row, or inside the first hour
-- with rows after it (then the raw side must be read: the hour's rollup
-- would count them). The readers count the hour holding p_to whole when
-- it starts after p_from: they are exact for windows with no rows after
-- p_to, which is how every RPC calls them (p_to = now()), so a p_to inside
-- a later hour is not tried.
create temp table w on commit drop as
select row_number() over (order by f, t) as k, h + f as f, h + t as t
from h,
    (values (interval '0'), ('0.000001 seconds'), ('10 minutes'), ('29 minutes 59.999999 seconds'), ('30 minutes'),
            ('50 minutes'), ('59 minutes 59.999999 seconds')) a(f),
    (values (interval '59 minutes 59.999999 seconds'), ('20 minutes'), ('3 days')) b(t)
where t = interval '3 days' or (f > interval '0' and f <= t);
select ok((select count(*) from w where analytics.head_from_rollup(f, t)) = 3
          and (select count(*) from w where not analytics.head_from_rollup(f, t)) = 12,
    'the windows take both paths');

-- verification_counts, hour by hour and day by day (p_daily), all groups and one group.
select results_eq(
    $$select w.k, g, c.hour, c.status, c.cached, sum(c.n)::bigint, sum(c.latency_sum)::bigint, sum(c.lat_lt_50)::bigint, sum(c.lat_50_100)::bigint,
             sum(c.lat_100_200)::bigint, sum(c.lat_200_500)::bigint, sum(c.lat_ge_500)::bigint
      from w, unnest(array[null, -2001]::bigint[]) g, analytics.verification_counts(w.f, w.t, g) c
      group by 1, 2, 3, 4, 5 having sum(c.n) <> 0 or sum(c.latency_sum) <> 0
      order by 1, 2 nulls first, 3, 4, 5$$,
    $$select w.k, g, date_trunc('hour', v.timestamp, 'UTC'), v.status, v.cached, count(*), sum(v.latency_ms),
             count(*) filter (where v.latency_ms < 50), count(*) filter (where v.latency_ms >= 50 and v.latency_ms < 100),
             count(*) filter (where v.latency_ms >= 100 and v.latency_ms < 200),
             count(*) filter (where v.latency_ms >= 200 and v.latency_ms < 500), count(*) filter (where v.latency_ms >= 500)
      from w cross join unnest(array[null, -2001]::bigint[]) g
      join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t and (g is null or v.group_id = g)
      group by 1, 2, 3, 4, 5 order by 1, 2 nulls first, 3, 4, 5$$,
    'verification_counts per hour = raw scan, every window, all groups and one group');
select results_eq(
    $$select w.k, c.status, c.cached, sum(c.n)::bigint, sum(c.latency_sum)::bigint, sum(c.lat_ge_500)::bigint
      from w, analytics.verification_counts(w.f, w.t, null, true) c
      group by 1, 2, 3 having sum(c.n) <> 0 or sum(c.latency_sum) <> 0 order by 1, 2, 3$$,
    $$select w.k, v.status, v.cached, count(*), sum(v.latency_ms), count(*) filter (where v.latency_ms >= 500)
      from w join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t
      group by 1, 2, 3 order by 1, 2, 3$$,
    'verification_counts with whole days (p_daily) = raw scan, every window');
select is((select count(*)::int from w, analytics.verification_counts(w.f, w.t, -2001) c where c.n < 0), 
          (select count(distinct (w.k, v.status, v.cached))::int from w
           join nezuko.verification_log v on v.group_id = -2001 and v.timestamp >= analytics.hour_floor(w.f) and v.timestamp < w.f
           where analytics.head_from_rollup(w.f, w.t)),
    'the early-start windows subtract the raw rows before p_from (negative rows), and only they do');

-- api_call_counts: all calls, calls into one group, a private chat (never kept per chat).
select results_eq(
    $$select w.k, g, c.hour, c.method, c.success, sum(c.n)::bigint, sum(c.latency_sum)::bigint
      from w, unnest(array[null, -2001, 150]::bigint[]) g, analytics.api_call_counts(w.f, w.t, g) c
      group by 1, 2, 3, 4, 5 having sum(c.n) <> 0 or sum(c.latency_sum) <> 0
      order by 1, 2 nulls first, 3, 4, 5$$,
    $$select w.k, g, date_trunc('hour', a.timestamp, 'UTC'), a.method, a.success, count(*), sum(a.latency_ms)
      from w cross join unnest(array[null, -2001, 150]::bigint[]) g
      join nezuko.api_call_log a on a.timestamp >= w.f and a.timestamp <= w.t
           and (g is null or (a.chat_id = g and a.chat_id < 0))
      group by 1, 2, 3, 4, 5 order by 1, 2 nulls first, 3, 4, 5$$,
    'api_call_counts per hour = raw scan, every window, all calls, one group and a private chat');
select results_eq(
    $$select c.method, sum(c.n)::int from h, analytics.api_call_counts(h + interval '10 minutes', h + interval '3 days', -2001) c
      where c.method = 'sendPhoto' group by 1$$,
    $$values ('sendPhoto', 0)$$,
    'a method called only before p_from sums to 0 (the RPCs leave such methods out)');

-- latency_histogram: counts per latency bucket, hour by hour and with whole days.
select results_eq(
    $$select w.k, g, x.hour, u.bucket, sum(u.n)::bigint
      from w, unnest(array[null, -2001]::bigint[]) g, analytics.latency_histogram(w.f, w.t, g) x,
           unnest(x.buckets, x.counts) u(bucket, n)
      group by 1, 2, 3, 4 having sum(u.n) <> 0 order by 1, 2 nulls first, 3, 4$$,
    $$select w.k, g, date_trunc('hour', v.timestamp, 'UTC'), analytics.latency_bucket(v.latency_ms), count(*)
      from w cross join unnest(array[null, -2001]::bigint[]) g
      join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t and (g is null or v.group_id = g)
      where g is null
      group by 1, 2, 3, 4
      union all
      -- One group: whole UTC days from its daily histogram (labelled by the
      -- day), the partial days from the log by hour.
      select w.k, g, case when v.timestamp >= analytics.day_ceil(w.f) and v.timestamp < date_trunc('day', w.t, 'UTC')
                          then date_trunc('day', v.timestamp, 'UTC') else date_trunc('hour', v.timestamp, 'UTC') end,
             analytics.latency_bucket(v.latency_ms), count(*)
      from w cross join unnest(array[-2001]::bigint[]) g
      join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t and v.group_id = g
      group by 1, 2, 3, 4
      order by 1, 2 nulls first, 3, 4$$,
    'latency_histogram per hour and bucket = raw scan, every window, all groups and one group');
select results_eq(
    $$select w.k, u.bucket, sum(u.n)::bigint
      from w, analytics.latency_histogram(w.f, w.t, null, true) x, unnest(x.buckets, x.counts) u(bucket, n)
      group by 1, 2 having sum(u.n) <> 0 order by 1, 2$$,
    $$select w.k, analytics.latency_bucket(v.latency_ms), count(*)
      from w join nezuko.verification_log v on v.timestamp >= w.f and v.timestamp <= w.t
      group by 1, 2 order by 1, 2$$,
    'latency_histogram with whole days (p_daily) = raw scan, every window');

-- The same readers in a generic plan (parameters, as a long-lived session's
-- plpgsql eventually uses): the one-time filters and bounds are evaluated
-- at run time, and the answers do not change.
set local plan_cache_mode = force_generic_plan;
prepare vc(timestamptz, timestamptz, bigint) as
    select c.status, sum(c.n)::bigint as n, sum(c.latency_sum)::bigint as l
    from analytics.verification_counts($1, $2, $3, true) c group by 1 having sum(c.n) <> 0 order by 1;
prepare vraw(timestamptz, timestamptz, bigint) as
    select v.status, count(*) as n, sum(v.latency_ms)::bigint as l from nezuko.verification_log v
    where v.timestamp >= $1 and v.timestamp <= $2 and ($3 is null or v.group_id = $3) group by 1 order by 1;
select results_eq('execute vc(''' || (h + interval '10 minutes') || ''', ''' || (h + interval '3 days') || ''', null)',
                  'execute vraw(''' || (h + interval '10 minutes') || ''', ''' || (h + interval '3 days') || ''', null)',
                  'generic plan, early start: = raw scan') from h;
select results_eq('execute vc(''' || (h + interval '50 minutes') || ''', ''' || (h + interval '3 days') || ''', -2001)',
                  'execute vraw(''' || (h + interval '50 minutes') || ''', ''' || (h + interval '3 days') || ''', -2001)',
                  'generic plan, late start, one group: = raw scan') from h;
prepare ac(timestamptz, timestamptz, bigint) as
    select c.method, sum(c.n)::bigint from analytics.api_call_counts($1, $2, $3) c group by 1 having sum(c.n) <> 0 order by 1;
prepare araw(timestamptz, timestamptz, bigint) as
    select method, count(*) from nezuko.api_call_log
    where timestamp >= $1 and timestamp <= $2 and ($3 is null or (chat_id = $3 and chat_id < 0)) group by 1 order by 1;
select results_eq('execute ac(''' || (h + interval '10 minutes') || ''', ''' || (h + interval '3 days') || ''', -2001)',
                  'execute araw(''' || (h + interval '10 minutes') || ''', ''' || (h + interval '3 days') || ''', -2001)',
                  'generic plan, API calls into one group: = raw scan') from h;

select * from finish();
rollback;
