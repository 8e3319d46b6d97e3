-- bot.complete_commands: bot.complete_command for a batch, in one round trip
-- (p_results = [{"id": 1, "result": {...}, "attempt": 2, "started_at":
-- "2026-12-04T21:00:00.123456Z"}, ...]). With "attempt" and "started_at" (the
-- claim's), a result counts only for that attempt: a report retried after
-- its answer was lost in a restart cannot finish a later attempt of the
-- same command by the same worker, nor can the holder of a claim that a
-- PostgreSQL crash lost finish the claim made since (bot.claim_commands). Commands whose result needs
-- no decision (no failed call, not a sync) are completed set-based; the rest
-- go through bot.complete_command one by one. Returns the ids completed.
-- A command rescued as 'unknown' while its worker could not reach the
-- database is settled by that worker's late report like a running one.
create function bot.complete_commands(p_worker text, p_results jsonb) returns setof bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp
-- As bot.claim_commands: session-cached plans must not read the batch's ids
-- by a sequential scan when the table's statistics are stale.
set enable_seqscan = off
as $$
declare
    ids bigint[];
    results jsonb;
    tries jsonb;
    starts jsonb;
    locked bigint[];
    r record;
begin
    -- Results keyed by id in one jsonb object: each row finds its result by
    -- key, with no join whose plan could go quadratic on stale statistics.
    select array_agg((e ->> 'id')::bigint order by (e ->> 'id')::bigint),
           jsonb_object_agg(e ->> 'id', coalesce(e -> 'result', '{}')),
           jsonb_object_agg(e ->> 'id', coalesce(e -> 'attempt', 'null')),
           jsonb_object_agg(e ->> 'id', coalesce(e -> 'started_at', 'null'))
    into ids, results, tries, starts
    from jsonb_array_elements(p_results) e;
    if ids is null then
        return;
    end if;
    -- Locked in id order, as bot.renew_command_leases does: the two never deadlock.
    locked := array(select c.id from nezuko.admin_commands c
                    where c.id = any (ids) and c.status in ('running', 'unknown') and c.lease_owner = p_worker
                      and (tries -> c.id::text = 'null' or c.attempts = (tries ->> c.id::text)::integer)
                      and (starts -> c.id::text = 'null' or c.started_at = (starts ->> c.id::text)::timestamptz)
                    order by c.id
                    for update);
    return query
    update nezuko.admin_commands c
    set status = 'completed', result = results -> c.id::text, error = null, finished_at = now(),
        lease_owner = null, lease_expires_at = null, dispatched_at = null,
        updated_at = now() -- so triggers.set_updated_at need not fire per row
    where c.id = any (locked)
      and c.command_type not in ('sync_group', 'sync_channel')
      and not jsonb_path_exists(results -> c.id::text, '$.calls[*] ? (@.ok == false)')
    returning c.id;
    for r in
        select c.id from nezuko.admin_commands c
        where c.id = any (locked) and c.status in ('running', 'unknown') and c.lease_owner = p_worker
        order by c.id
    loop
        if bot.complete_command(r.id, p_worker, results -> r.id::text) = 'completed' then
            return next r.id;
        end if;
    end loop;
end
$$;
comment on function bot.complete_commands(text, jsonb) is
    'Finish a batch of running commands ([{"id", "result"}]) in one call; returns the ids completed.';
grant execute on function bot.complete_commands(text, jsonb) to nezuko_bridge;
