-- bot.renew_command_leases: a worker extends the leases of the commands it is
-- still running; returns the ids it still holds (a command missing from the
-- answer was rescued and may already run elsewhere).
create function bot.renew_command_leases(p_worker text, p_ids bigint[], p_lease_seconds integer)
returns setof bigint
language sql volatile security definer set search_path = pg_catalog, pg_temp as $$
    -- Rows are locked in id order, as bot.complete_commands does, so a
    -- renewal and a completion of the same worker never deadlock.
    with held as (
        select id from nezuko.admin_commands
        where id = any (p_ids) and status = 'running' and lease_owner = p_worker
        order by id
        for update
    )
    update nezuko.admin_commands c
    set lease_expires_at = now() + make_interval(secs => greatest(coalesce(p_lease_seconds,
                (select (value #>> '{}')::integer from nezuko.admin_config where key = 'command_lease_seconds'), 60), 1))
    from held
    where c.id = held.id
    returning c.id
$$;
comment on function bot.renew_command_leases(text, bigint[], integer) is
    'Extend the leases worker p_worker holds on p_ids; returns the ids still held.';
grant execute on function bot.renew_command_leases(text, bigint[], integer) to nezuko_bridge;
