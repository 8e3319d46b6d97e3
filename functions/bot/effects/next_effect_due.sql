-- bot.next_effect_due: seconds until the next effect of these bots that is
-- waiting (a retry_after, a backoff) becomes due; null when none waits.
create function bot.next_effect_due(p_bots bigint[]) returns double precision
language sql stable as $$
    select greatest(0, extract(epoch from min(run_after) - now()))::double precision
    from nezuko.bot_effects
    where status = 'pending' and bot_instance_id = any (p_bots) and run_after > now()
$$;
grant execute on function bot.next_effect_due(bigint[]) to nezuko_bridge;
