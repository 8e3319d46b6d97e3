-- bot.complete_commands: bot.complete_command for a batch, in one round trip
-- (p_results = [{"id": 1, "result": {...}}, ...]). Commands whose result needs
-- no decision (no failed call, not a sync) are completed set-based; the rest
-- go through bot.complete_command one by one. Returns the ids completed.
create function bot.complete_commands(p_worker text, p_results jsonb) returns setof bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    r record;
begin
    return query
    with x as (
        select x.id, x.result from jsonb_to_recordset(p_results) as x(id bigint, result jsonb)
    ), locked as (
        -- id order, as bot.renew_command_leases: the two never deadlock.
        select c.id from nezuko.admin_commands c
        where c.id in (select x.id from x) and c.status = 'running' and c.lease_owner = p_worker
        order by c.id
        for update
    )
    update nezuko.admin_commands c
    set status = 'completed', result = coalesce(x.result, '{}'), error = null, finished_at = now(),
        lease_owner = null, lease_expires_at = null
    from x join locked on locked.id = x.id
    where c.id = x.id and c.status = 'running' and c.lease_owner = p_worker
      and c.command_type not in ('sync_group', 'sync_channel')
      and not jsonb_path_exists(coalesce(x.result, '{}'), '$.calls[*] ? (@.ok == false)')
    returning c.id;
    for r in
        select x.id, x.result from jsonb_to_recordset(p_results) as x(id bigint, result jsonb)
        join nezuko.admin_commands c on c.id = x.id
        where c.status = 'running' and c.lease_owner = p_worker
        order by x.id
    loop
        if bot.complete_command(r.id, p_worker, r.result) = 'completed' then
            return next r.id;
        end if;
    end loop;
end
$$;
comment on function bot.complete_commands(text, jsonb) is
    'Finish a batch of running commands ([{"id", "result"}]) in one call; returns the ids completed.';
grant execute on function bot.complete_commands(text, jsonb) to nezuko_bridge;
