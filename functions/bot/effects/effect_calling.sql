-- bot.effect_calling: a non-repeatable call (a send) is about to go out.
-- Recorded durably first, so that if the executor dies before it learns
-- the answer, the rescue knows the outcome is unknown and does not send it
-- again. False when p_worker no longer holds the effect: do not call.
create function bot.effect_calling(p_id bigint, p_worker text) returns boolean
language sql volatile as $$
    with u as (
        update nezuko.bot_effects set calling_at = now()
        where id = p_id and status = 'running' and lease_owner = p_worker
        returning 1
    )
    select exists (select from u)
$$;
grant execute on function bot.effect_calling(bigint, text) to nezuko_bridge;
