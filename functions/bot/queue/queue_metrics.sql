-- bot.queue_metrics: the command queue's state for /metrics, read at scrape
-- time. Depth comes from the partial indexes (pending: admin_commands_claim_idx,
-- running: admin_commands_lease_idx). pickups are the waits (started_at -
-- run_after, seconds) of the claims made in (p_since, upto]: run_after is
-- when a command became due (enqueue, or the end of a retry's backoff) and
-- a claim sets started_at, so each attempt's pickup latency is exact. upto
-- stays 2 s behind now so a claim whose transaction is still committing is
-- read at the next scrape, not skipped; commands created more than an hour
-- before p_since are not looked at (the created_at index bounds the scan).
create function bot.queue_metrics(p_since timestamptz)
returns table (
    pending_due        bigint,
    pending_scheduled  bigint,
    running            bigint,
    oldest_due_seconds double precision,
    pickups            double precision[],
    upto               timestamptz
)
language sql stable security definer set search_path = pg_catalog, pg_temp as $$
    with bound as (select statement_timestamp() - interval '2 seconds' as upto)
    select
        (select count(*) from nezuko.admin_commands c where c.status = 'pending' and c.run_after <= now()),
        (select count(*) from nezuko.admin_commands c where c.status = 'pending' and c.run_after > now()),
        (select count(*) from nezuko.admin_commands c where c.status = 'running'),
        coalesce((select extract(epoch from now() - min(c.run_after))::double precision
                  from nezuko.admin_commands c where c.status = 'pending' and c.run_after <= now()), 0),
        coalesce((select array_agg(greatest(0, extract(epoch from c.started_at - c.run_after))::double precision)
                  from nezuko.admin_commands c
                  where c.created_at > least(p_since, b.upto) - interval '1 hour'
                    and c.status in ('running', 'completed', 'failed')
                    and c.started_at > p_since and c.started_at <= b.upto), '{}'),
        greatest(p_since, b.upto)
    from bound b
$$;
comment on function bot.queue_metrics(timestamptz) is
    'The command queue for /metrics: due, scheduled and running counts, the oldest due command''s wait, and the pickup latencies (s) of claims started in (p_since, upto].';
grant execute on function bot.queue_metrics(timestamptz) to nezuko_bridge;
