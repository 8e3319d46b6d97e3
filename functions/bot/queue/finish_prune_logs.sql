-- bot.finish_prune_logs: completes the prune_logs command p_id with what it
-- deleted (p_result) and schedules the next run (bot.schedule_prune_logs).
-- Returns the new status, null when p_worker no longer holds the lease (or,
-- with p_started_at, the attempt that started then).
create function bot.finish_prune_logs(p_id bigint, p_worker text, p_result jsonb,
                                      p_started_at timestamptz default null) returns text
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_status text;
begin
    v_status := bot.complete_command(p_id, p_worker, p_result, p_started_at);
    if v_status is not null then
        perform bot.schedule_prune_logs();
    end if;
    return v_status;
end
$$;
comment on function bot.finish_prune_logs(bigint, text, jsonb, timestamptz) is
    'Completes a prune_logs command with its counts and schedules the next daily run.';
grant execute on function bot.finish_prune_logs(bigint, text, jsonb, timestamptz) to nezuko_bridge;
