-- bot.next_command_due: seconds until the next pending command a worker for
-- p_bots could claim becomes due (0 if one is due now), null if none is
-- pending. A worker that drained the queue sleeps until then (retry backoff,
-- commands scheduled with run_after) instead of waiting for its safety poll.
create function bot.next_command_due(p_bots bigint[]) returns double precision
language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
-- PL/pgSQL for its plan cache (see bot.claim_commands): it runs with every claim.
begin
    return (
    select greatest(0, extract(epoch from min(c.run_after) - now()))::double precision
    from nezuko.admin_commands c
    where c.status = 'pending'
      and (p_bots is null or c.bot_instance_id is null or c.bot_instance_id = any (p_bots))
    -- no row (so null) when nothing is pending: greatest() skips the null
    -- min() and would answer 0, "due now", and the worker would claim again
    -- at once, forever. Only min() in the query, so PostgreSQL reads the
    -- first entry of admin_commands_claim_idx instead of every pending row
    -- (count(*) here cost a scan of the backlog on every claim: 7-11 ms per
    -- claim with 20,000 pending, 0.1 ms now).
    having min(c.run_after) is not null);
end
$$;
comment on function bot.next_command_due(bigint[]) is
    'Seconds until the next pending command claimable for p_bots is due; null when none is pending.';
grant execute on function bot.next_command_due(bigint[]) to nezuko_bridge;
