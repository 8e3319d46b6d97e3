-- bot.schedule_prune_logs: makes sure one prune_logs command is pending or
-- running; if none is, enqueues one for the next log_prune_hour_utc (UTC).
-- Called by each prune_logs run when it finishes and by nezuko serve at
-- start, so the daily prune survives a cancelled or failed run. Returns the
-- pending command's id. The idempotency key (unique among pending and
-- running commands) keeps concurrent callers from scheduling two.
create function bot.schedule_prune_logs() returns bigint
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_id bigint;
    v_at timestamptz := date_trunc('day', now(), 'UTC')
                        + make_interval(hours => bot.config_int('log_prune_hour_utc', 3));
begin
    select id into v_id from nezuko.admin_commands
    where command_type = 'prune_logs' and status in ('pending', 'running')
    order by id limit 1;
    if found then
        return v_id;
    end if;
    if v_at <= now() then
        v_at := v_at + interval '1 day';
    end if;
    insert into nezuko.admin_commands (command_type, payload, run_after, idempotency_key)
    values ('prune_logs', '{}', v_at, 'prune_logs:scheduled')
    on conflict (idempotency_key) where status in ('pending', 'running') do nothing
    returning id into v_id;
    return v_id;
end
$$;
comment on function bot.schedule_prune_logs() is
    'Ensures a prune_logs command is pending or running; else enqueues one for the next log_prune_hour_utc. Returns its id.';
grant execute on function bot.schedule_prune_logs() to nezuko_bridge;
