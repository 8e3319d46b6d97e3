-- bot.rescue_effects: effects whose executor vanished (lease expired). One
-- that was never called, or may be called twice (restrict, delete), is
-- pending again at once; a send that may already have gone out ends as
-- 'unknown' (its outcome applied as such): never shown twice. Any executor
-- may run it; returns how many were rescued.
create function bot.rescue_effects() returns integer
language plpgsql volatile as $$
declare
    e record;
    n integer := 0;
begin
    for e in
        select x.id, x.bot_instance_id, x.outcome, x.repeatable, x.calling_at, x.lease_owner
        from nezuko.bot_effects x
        where x.status = 'running' and x.lease_expires_at < now()
        order by x.id
        for update skip locked
    loop
        n := n + 1;
        if e.calling_at is not null and not e.repeatable then
            update nezuko.bot_effects
            set status = 'unknown', finished_at = now(), lease_owner = null, lease_expires_at = null,
                error_type = 'outcome_unknown',
                description = 'the executor ' || coalesce(e.lease_owner, '?') || ' stopped while the call was in flight; not repeated'
            where id = e.id;
            perform bot.apply_outcome(e.bot_instance_id, e.outcome,
                jsonb_build_object('ok', false, 'unknown', true, 'error_type', 'outcome_unknown'));
        else
            update nezuko.bot_effects
            set status = 'pending', run_after = now(), lease_owner = null, lease_expires_at = null, calling_at = null
            where id = e.id;
        end if;
    end loop;
    if n > 0 then
        perform pg_notify('nezuko_effects', '');
    end if;
    return n;
end
$$;
grant execute on function bot.rescue_effects() to nezuko_bridge;
