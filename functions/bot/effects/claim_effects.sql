-- bot.claim_effects: up to p_limit effects for worker p_worker, at most one
-- per chat: the head (lowest id) of each chat's unfinished effects, when it
-- is pending and due. A chat whose head is running, or waiting for its
-- retry, yields nothing, so effects of one chat never overtake each other,
-- and a chat that waits never holds up another. Calls into no chat (chat_id
-- 0: a callback query's answer) need no order: every due one may be taken,
-- so one slow answer never holds up the others. SKIP LOCKED keeps two
-- executors from taking the same row. The claim counts as an attempt.
--
-- The chats are found by a skip scan of bot_effects_lane_idx (one probe per
-- chat with unfinished effects, then one for its head), not by reading every
-- unfinished row: a raid that leaves 100,000 prompts waiting in one group
-- costs a claim two index probes for that group, not 100,000 rows.
--
-- PL/pgSQL with a generic plan, cached for the session: planned on every
-- call (as a SQL function, or by PL/pgSQL's choice of custom plans) it cost
-- ~0.9 ms of CPU per claim against ~0.15 ms (psql, CPU time of the backend
-- over 300 claims). The plan is the same skip scan for any argument.
-- Sequential scans are off while it is planned: a session plans the claim
-- once, usually when the outbox is empty, and the planner then prices a
-- scan of the (empty) table below any index; cached, that plan read the
-- whole outbox ~600 times per claim once a raid filled it, 700–830 ms a
-- claim at 20,000 effects (psql, auto_explain), against 15 ms with the
-- index plan, until an autoanalyze replaced it: every chat stalled meanwhile.
--
-- The claiming transaction commits asynchronously (synchronous_commit off
-- for the rest of it), so a claim never waits for a WAL flush before its
-- effects are called. A claim lost in a PostgreSQL crash is harmless: its
-- effects are pending again; a send cannot go out on a lost claim, since
-- bot.effect_calling (synchronous) finds no lease, and its flush makes the
-- claim before it durable too; a restrict or delete may be repeated, which
-- Telegram treats as the same call.
create function bot.claim_effects(p_worker text, p_bots bigint[], p_limit integer, p_lease_seconds integer default null)
returns table (id bigint, bot_instance_id bigint, chat_id bigint, method text, params jsonb,
               repeatable boolean, attempts integer, created_at timestamptz)
language plpgsql volatile
set enable_seqscan = off
as $$
#variable_conflict use_column
declare
    v_heads bigint[];
begin
    perform set_config('plan_cache_mode', 'force_generic_plan', true),
            set_config('synchronous_commit', 'off', true);
    -- The due heads first, then the claim of those ids (two statements: as
    -- one, a plan made on an empty outbox joined every effect to the heads
    -- query, re-run per effect). Each ORDER BY is the lane index's own
    -- order, so no plan can prefer reading another index and filtering.
    with recursive lanes as (
        select b.bot, first.chat_id
        from unnest(p_bots) as b(bot)
        cross join lateral (
            select e.chat_id from nezuko.bot_effects e
            where e.bot_instance_id = b.bot and e.status in ('pending', 'running') and e.chat_id <> 0
            order by e.bot_instance_id, e.chat_id limit 1) first
        union all
        select l.bot, next.chat_id
        from lanes l
        cross join lateral (
            select e.chat_id from nezuko.bot_effects e
            where e.bot_instance_id = l.bot and e.status in ('pending', 'running') and e.chat_id > l.chat_id
            order by e.bot_instance_id, e.chat_id limit 1) next
    )
    select array(
        select d.id from (
            select h.id
            from lanes l
            cross join lateral (
                select e.id, e.status, e.run_after from nezuko.bot_effects e
                where e.bot_instance_id = l.bot and e.chat_id = l.chat_id and e.status in ('pending', 'running')
                order by e.bot_instance_id, e.chat_id, e.id limit 1) h
            where h.status = 'pending' and h.run_after <= now()
            union all
            select c.id from (
                select e.id from nezuko.bot_effects e
                where e.bot_instance_id = any (p_bots) and e.chat_id = 0 and e.status = 'pending' and e.run_after <= now()
                order by e.bot_instance_id, e.chat_id, e.id limit greatest(p_limit, 0)) c) d
        order by d.id limit greatest(p_limit, 0))
    into v_heads;
    -- Lock the heads by id alone (only the primary key can serve it; with
    -- `and status = 'pending'` a plan cached on an empty outbox read the
    -- whole lane index), then keep those still pending: another worker may
    -- have claimed one since.
    with locked as materialized (
        select x.id, x.status from nezuko.bot_effects x
        where x.id = any (v_heads)
        order by x.id
        for update skip locked
    )
    select array(select l.id from locked l where l.status = 'pending') into v_heads;
    return query
    with claimed as (
        update nezuko.bot_effects e
        set status = 'running', attempts = e.attempts + 1, lease_owner = p_worker, calling_at = null,
            lease_expires_at = now() + make_interval(secs => coalesce(p_lease_seconds, bot.config_int('effect_lease_seconds', 30)))
        where e.id = any (v_heads)
        returning e.id, e.bot_instance_id, e.chat_id, e.method, e.params, e.repeatable, e.attempts, e.created_at
    )
    select * from claimed order by id;
end
$$;
comment on function bot.claim_effects(text, bigint[], integer, integer) is
    'Claim the due head effect of up to p_limit chats of the given bots under a lease (one effect per chat at a time, in id order).';
grant execute on function bot.claim_effects(text, bigint[], integer, integer) to nezuko_bridge;
