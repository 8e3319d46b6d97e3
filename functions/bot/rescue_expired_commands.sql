-- bot.rescue_expired_commands: commands whose worker vanished (its lease
-- expired) go back to pending at once, or to failed when that attempt was
-- their last. The lost attempt counts (it was counted at the claim).
-- Returns how many were rescued. Any worker may run it; SKIP LOCKED keeps
-- two rescuers from fighting over a row.
create function bot.rescue_expired_commands() returns integer
language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
    with expired as (
        select id from nezuko.admin_commands
        where status = 'running' and lease_expires_at < now()
        for update skip locked
    ), rescued as (
        update nezuko.admin_commands c
        set status = case when c.attempts >= c.max_attempts then 'failed' else 'pending' end,
            finished_at = case when c.attempts >= c.max_attempts then now() end,
            run_after = now(),
            error = 'lease expired: worker ' || coalesce(c.lease_owner, '?') || ' stopped answering',
            lease_owner = null, lease_expires_at = null
        from expired
        where c.id = expired.id
        returning 1
    )
    select count(*)::integer from rescued
$$;
comment on function bot.rescue_expired_commands() is
    'Put commands with an expired lease back to pending (or failed after their last attempt); returns how many.';
grant execute on function bot.rescue_expired_commands() to nezuko_bridge;
