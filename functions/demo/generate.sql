-- demo.generate: fills an empty database with a realistic demo: an owner,
-- a bot with a live heartbeat and 90 % uptime history, p_groups protected
-- groups with their channels, and p_rows verification_log rows plus
-- p_api_rows api_call_log rows over the last p_days days.
--
-- Realism: a daily rhythm (peak mid-afternoon UTC, night at a third of it)
-- and a weekly one (weekends at 75 %); a user base that grows over the
-- period; a few big groups and a long tail; ~80 % cache hits; log-normal
-- latencies (median ~6 ms cached, ~180 ms asking Telegram); 75 % verified,
-- 22 % restricted, 3 % errors; a Bot API method mix led by getChatMember.
--
-- Speed: set-based (generate_series), one INSERT ... SELECT per day of data
-- (~110k rows at 10 M rows / 90 days), so the statement-level rollup
-- triggers run once per chunk and keep up. Nothing is disabled.
create function demo.generate(
    p_rows bigint default 100000,
    p_days integer default 90,
    p_groups integer default 50,
    p_api_rows bigint default null,
    p_append boolean default false,
    p_end timestamptz default null
) returns table (table_name text, rows bigint)
language plpgsql volatile
set search_path = pg_catalog, pg_temp
-- JIT compiling costs 100+ ms per query here, more than these queries take.
set jit = off
as $$
declare
    v_api_rows bigint := coalesce(p_api_rows, p_rows);
    -- p_end: where the generated history ends (default now); an earlier
    -- end with p_append adds older history to a log (tests/bench/analytics
    -- grows its log that way, the RPCs' windows untouched).
    v_end timestamptz := date_trunc('hour', coalesce(p_end, now()), 'UTC');
    v_hours integer := p_days * 24;
    v_pool bigint := greatest(1000, p_rows / 25);
    v_bot bigint;
    d integer;
begin
    if p_rows < 0 or v_api_rows < 0 or p_days not between 1 and 3650 or p_groups not between 1 and 100000 then
        raise exception 'rows must be >= 0, days 1-3650 and groups 1-100000' using errcode = '22023';
    end if;
    if not p_append and (exists (select from nezuko.verification_log) or exists (select from nezuko.api_call_log)) then
        raise exception 'the logs already hold rows: demo data is for an empty database'
            using errcode = '55000', hint = 'pass p_append => true (nezuko seed -append) to add to them anyway';
    end if;

    insert into nezuko.owners (user_id, username, first_name) values (42, 'demo_owner', 'Demo')
    on conflict (user_id) do nothing;
    insert into nezuko.bot_instances (owner_id, bot_user_id, username, first_name, token_encrypted, token_sha256)
    values (42, 4242, 'nezuko_demo_bot', 'Nezuko Demo', 'demo-not-a-real-token', sha256('nezuko demo bot'::bytea))
    on conflict (bot_user_id) do update set username = excluded.username
    returning id into v_bot;
    insert into nezuko.bot_status (bot_instance_id, status, started_at, last_heartbeat, uptime_seconds, version, instance)
    values (v_bot, 'online', now() - interval '3 days', now(), 3 * 86400, 'demo', 'demo:1')
    on conflict (bot_instance_id) do update set status = 'online', last_heartbeat = now();
    -- Heartbeat history: up except for one short outage every ~10 days.
    insert into nezuko.bot_alive_minutes (minute)
    select m from generate_series(date_trunc('minute', coalesce(p_end, now()) - make_interval(days => p_days), 'UTC'),
                                  date_trunc('minute', coalesce(p_end, now()), 'UTC'), interval '1 minute') m
    where extract(epoch from m)::bigint / 60 % 14400 >= 1440 * 0.1
    on conflict (minute) do nothing;

    insert into nezuko.protected_groups (group_id, bot_instance_id, owner_id, title, username, enabled, member_count)
    select -1001000000000 - k, v_bot, 42,
        case when k % 17 = 16 then null else 'Demo group ' || (k + 1) end,
        'demo_group_' || (k + 1), k % 10 <> 9, 50 + (100000 / (k + 1))
    from generate_series(0, p_groups - 1) k
    on conflict (group_id) do nothing;
    insert into nezuko.enforced_channels (channel_id, username, title, invite_link, subscriber_count, bot_is_admin)
    select -1002000000000 - k, 'demo_channel_' || (k + 1), 'Demo channel ' || (k + 1),
        'https://t.me/demo_channel_' || (k + 1), 100 + (200000 / (k + 1)), true
    from generate_series(0, p_groups) k
    on conflict (channel_id) do nothing;
    -- Each group enforces its own channel; every fourth also a shared one.
    insert into nezuko.group_channel_links (group_id, channel_id)
    select -1001000000000 - k, -1002000000000 - k from generate_series(0, p_groups - 1) k
    union all
    select -1001000000000 - k, -1002000000000 - p_groups from generate_series(0, p_groups - 1) k where k % 4 = 0
    on conflict do nothing;

    -- Rows per hour: weights for the daily and weekly rhythm, rounded on the
    -- running total so the counts add up to exactly p_rows / v_api_rows.
    if to_regclass('pg_temp.demo_hours') is not null then
        drop table pg_temp.demo_hours;
    end if;
    create temp table demo_hours on commit drop as
    with w as (
        select h, v_end - make_interval(hours => v_hours - h) as start,
            (0.35 + 0.65 * (0.5 + 0.5 * sin(2 * pi() * (extract(hour from v_end - make_interval(hours => v_hours - h)) - 9) / 24)))
            * case when extract(isodow from v_end - make_interval(hours => v_hours - h)) >= 6 then 0.75 else 1 end as w
        from generate_series(0, v_hours - 1) h
    ), c as (
        select h, start, sum(w) over (order by h) / sum(w) over () as cum_hi,
            coalesce(sum(w) over (order by h rows between unbounded preceding and 1 preceding), 0) / sum(w) over () as cum_lo
        from w
    )
    select h, start, h::float8 / v_hours as frac,
        (round(p_rows * cum_hi) - round(p_rows * cum_lo))::integer as n_ver,
        (round(v_api_rows * cum_hi) - round(v_api_rows * cum_lo))::integer as n_api
    from c;

    for d in 0 .. p_days - 1 loop
        insert into nezuko.verification_log (user_id, group_id, channel_id, status, latency_ms, cached, error_type, timestamp)
        select 100000000 + u,
            -1001000000000 - g,
            case when r_chan < 0.9 then -1002000000000 - g end,
            case when r_status < 0.03 then 'error' when r_status < 0.25 then 'restricted' else 'verified' end,
            greatest(0, round(case when cached then exp(ln(6) + 0.5 * z) else exp(ln(180) + 0.6 * z) end))::integer,
            cached,
            case when r_status < 0.03 then (array['bot_not_admin', 'timeout', 'chat_not_found'])[1 + (u % 3)] end,
            ts
        from (
            select x.*,
                -- A user's home group, skewed so a few groups are big; 15 % elsewhere.
                case when r_home < 0.85 then floor(p_groups * power(((u * 7919) % 10007)::float8 / 10007, 1.6::float8))::integer
                     else floor(random() * p_groups)::integer end as g
            from (
                select hh.start + random() * interval '1 hour' as ts,
                    -- The user base grows: later hours draw from a larger pool.
                    floor(v_pool * (0.3 + 0.7 * hh.frac) * power(random(), 1.5))::bigint as u,
                    random() < 0.8 as cached,
                    random() as r_status, random() as r_chan, random() as r_home,
                    sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) as z
                from demo_hours hh, generate_series(1, hh.n_ver) i
                where hh.h >= d * 24 and hh.h < (d + 1) * 24
            ) x
        ) y;

        insert into nezuko.api_call_log (method, chat_id, user_id, success, latency_ms, error_type, timestamp)
        select m, case when m = 'getChatMember' then -1002000000000 - g when m = 'answerCallbackQuery' then null
                       else -1001000000000 - g end,
            100000000 + u, ok,
            greatest(1, round(exp(ln(120) + 0.5 * z)))::integer,
            case when not ok then (array['too_many_requests', 'network', 'not_enough_rights'])[1 + (u % 3)] end,
            ts
        from (
            select ts, u, z, floor(p_groups * power(r_g, 1.6::float8))::integer as g,
                case when r_m < 0.60 then 'getChatMember' when r_m < 0.72 then 'restrictChatMember'
                     when r_m < 0.82 then 'sendMessage' when r_m < 0.91 then 'deleteMessage'
                     when r_m < 0.96 then 'answerCallbackQuery' when r_m < 0.98 then 'getChat'
                     when r_m < 0.99 then 'approveChatJoinRequest' else 'banChatMember' end as m,
                r_ok >= 0.03 as ok
            from (
                select hh.start + random() * interval '1 hour' as ts,
                    floor(v_pool * (0.3 + 0.7 * hh.frac) * power(random(), 1.5))::bigint as u,
                    random() as r_g, random() as r_m, random() as r_ok,
                    sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) as z
                from demo_hours hh, generate_series(1, hh.n_api) i
                where hh.h >= d * 24 and hh.h < (d + 1) * 24
            ) x
        ) y;
    end loop;

    return query
    select 'protected_groups', count(*) from nezuko.protected_groups
    union all select 'enforced_channels', count(*) from nezuko.enforced_channels
    union all select 'verification_log', (select sum(n)::bigint from nezuko.verification_hourly_all)
    union all select 'api_call_log', (select sum(n)::bigint from nezuko.api_call_hourly_all);
end
$$;
comment on function demo.generate(bigint, integer, integer, bigint, boolean, timestamptz) is
    'Fills an empty database with demo groups, channels, a bot and p_rows verification_log + p_api_rows api_call_log rows over p_days days ending at p_end (default now) (nezuko seed).';
