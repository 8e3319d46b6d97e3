-- bot.renew_effect_leases: extends the leases p_worker holds on p_ids;
-- returns the ids it still holds (a missing id was taken over: drop it).
create function bot.renew_effect_leases(p_worker text, p_ids bigint[], p_lease_seconds integer default null)
returns setof bigint
language sql volatile as $$
    update nezuko.bot_effects
    set lease_expires_at = now() + make_interval(secs => coalesce(p_lease_seconds, bot.config_int('effect_lease_seconds', 30)))
    where id = any (p_ids) and status = 'running' and lease_owner = p_worker
    returning id
$$;
grant execute on function bot.renew_effect_leases(text, bigint[], integer) to nezuko_bridge;
