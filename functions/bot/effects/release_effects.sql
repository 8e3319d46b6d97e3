-- bot.release_effects: a stopping executor hands back effects it claimed
-- but has not called (waiting for a rate-limit slot or a retry_after):
-- pending again at once, the attempt not counted, for whoever runs next.
create function bot.release_effects(p_worker text, p_ids bigint[]) returns integer
language sql volatile as $$
    with r as (
        update nezuko.bot_effects
        set status = 'pending', attempts = greatest(attempts - 1, 0), lease_owner = null, lease_expires_at = null
        where id = any (p_ids) and status = 'running' and lease_owner = p_worker and calling_at is null
        returning 1
    )
    select count(*)::integer from r
$$;
grant execute on function bot.release_effects(text, bigint[]) to nezuko_bridge;
