-- bot.complete_commands: bot.complete_command for a batch, in one round trip
-- (p_results = [{"id": 1, "result": {...}}, ...]). Commands whose result needs
-- no decision (no failed call, not a sync) are completed set-based; the rest
-- go through bot.complete_command one by one. Returns the ids completed.
create function bot.complete_commands(p_worker text, p_results jsonb) returns setof bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    ids bigint[];
    results jsonb[];
    r record;
begin
    select array_agg((e ->> 'id')::bigint order by (e ->> 'id')::bigint),
           array_agg(coalesce(e -> 'result', '{}') order by (e ->> 'id')::bigint)
    into ids, results
    from jsonb_array_elements(p_results) e;
    if ids is null then
        return;
    end if;
    return query
    with x as (
        select * from unnest(ids, results) as x(id, result)
    ), locked as (
        -- Locked in id order, as bot.renew_command_leases does: the two never deadlock.
        select c.id, c.command_type from nezuko.admin_commands c
        where c.id = any (ids) and c.status = 'running' and c.lease_owner = p_worker
        order by c.id
        for update
    ), plain as (
        select x.id, x.result from x join locked l on l.id = x.id
        where l.command_type not in ('sync_group', 'sync_channel')
          and not jsonb_path_exists(x.result, '$.calls[*] ? (@.ok == false)')
    )
    update nezuko.admin_commands c
    set status = 'completed', result = plain.result, error = null, finished_at = now(),
        lease_owner = null, lease_expires_at = null
    from plain
    where c.id = plain.id
    returning c.id;
    for r in
        select x.id, x.result from unnest(ids, results) as x(id, result)
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
