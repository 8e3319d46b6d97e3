-- bot.claim_effects: up to p_limit effects for worker p_worker, at most one
-- per chat: the head (lowest id) of each chat's unfinished effects, when it
-- is pending and due. A chat whose head is running, or waiting for its
-- retry, yields nothing, so effects of one chat never overtake each other,
-- and a chat that waits never holds up another. SKIP LOCKED keeps two
-- executors from taking the same row. The claim counts as an attempt.
create function bot.claim_effects(p_worker text, p_bots bigint[], p_limit integer, p_lease_seconds integer default null)
returns table (id bigint, bot_instance_id bigint, chat_id bigint, method text, params jsonb,
               repeatable boolean, attempts integer, created_at timestamptz)
language sql volatile as $$
    with heads as (
        select distinct on (e.bot_instance_id, e.chat_id) e.id, e.status, e.run_after
        from nezuko.bot_effects e
        where e.status in ('pending', 'running') and e.bot_instance_id = any (p_bots)
        order by e.bot_instance_id, e.chat_id, e.id
    ), claimed as (
        update nezuko.bot_effects e
        set status = 'running', attempts = e.attempts + 1, lease_owner = p_worker, calling_at = null,
            lease_expires_at = now() + make_interval(secs => coalesce(p_lease_seconds, bot.config_int('effect_lease_seconds', 30)))
        where e.id = any (array(
            select x.id from nezuko.bot_effects x
            where x.id in (select h.id from heads h where h.status = 'pending' and h.run_after <= now())
              and x.status = 'pending'
            order by x.id
            limit greatest(p_limit, 0)
            for update skip locked))
        returning e.id, e.bot_instance_id, e.chat_id, e.method, e.params, e.repeatable, e.attempts, e.created_at
    )
    select * from claimed order by id
$$;
comment on function bot.claim_effects(text, bigint[], integer, integer) is
    'Claim the due head effect of up to p_limit chats of the given bots under a lease (one effect per chat at a time, in id order).';
grant execute on function bot.claim_effects(text, bigint[], integer, integer) to nezuko_bridge;
