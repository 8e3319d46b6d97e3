-- bot.rescue_effects: effects whose executor vanished (lease expired). One
-- that was never called, or may be called twice (restrict, delete), is
-- pending again at once; a send that may already have gone out ends as
-- 'unknown' (its outcome applied as such): never shown twice. Any executor
-- may run it; returns how many were rescued.
-- With p_bot, a process that has just become the bot's owner (its lock)
-- takes over at once every running effect of that bot held by another
-- worker, without waiting for the leases: whoever held them no longer owns
-- the bot. Should that worker still answer, its report is ignored (it no
-- longer holds the effect): a repeatable call may then be made once more,
-- which Telegram does not show, and a send is never made again.
create function bot.rescue_effects(p_bot bigint default null, p_owner text default null) returns integer
language plpgsql volatile as $$
declare
    e record;
    n integer := 0;
begin
    for e in
        select x.id, x.bot_instance_id, x.outcome, x.repeatable, x.calling_at, x.lease_owner
        from nezuko.bot_effects x
        where x.status = 'running'
          and (x.lease_expires_at < now()
               or (x.bot_instance_id = p_bot and x.lease_owner is distinct from p_owner))
        order by x.id
        for update skip locked
    loop
        n := n + 1;
        if e.calling_at is not null and not e.repeatable then
            update nezuko.bot_effects
            set status = 'unknown', finished_at = now(), lease_owner = null, lease_expires_at = null,
                error_type = 'outcome_unknown',
                description = 'the executor ' || coalesce(e.lease_owner, '?') || ' stopped (or lost the bot) while the call was in flight; not repeated'
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
grant execute on function bot.rescue_effects(bigint, text) to nezuko_bridge;
