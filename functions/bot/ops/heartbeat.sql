-- bot.heartbeat: a running bot says it is alive. Upserts bot_status (uptime
-- from p_started_at; metadata is the caller's counters plus queue_depth, the
-- bot's pending commands, and effects_pending) and returns
-- heartbeat_interval_seconds, so the caller follows a change of the setting
-- without a restart.
-- Health follows Telegram's answers: p_metadata.telegram holds the counts of
-- the bad answers of the last window_seconds ({transient, unauthorized,
-- last_error}). A running bot (p_status online, degraded or error) is
--   error     when Telegram refused its token (401, or 403 on getUpdates),
--   degraded  when bot_degraded_errors or more transient errors (429, 5xx,
--             timeouts) came back in the interval,
--   online    otherwise,
-- with the reason in status_reason. Only the instance that wrote the row
-- may mark it offline: a stopping standby does not hide a bot that another
-- instance still serves.
create function bot.heartbeat(
    p_bot_instance_id bigint, p_status text, p_started_at timestamptz,
    p_version text default null, p_instance text default null, p_metadata jsonb default '{}'
) returns integer
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    v_tg jsonb := coalesce(p_metadata->'telegram', '{}');
    v_interval integer := bot.config_int('heartbeat_interval_seconds', 30);
    v_status text := p_status;
    v_reason text;
begin
    if p_status is null or p_status not in ('starting', 'online', 'degraded', 'offline', 'error') then
        raise exception 'status must be starting, online, degraded, offline or error' using errcode = '22023';
    end if;
    if p_status in ('online', 'degraded', 'error') then
        if coalesce((v_tg->>'unauthorized')::integer, 0) > 0 then
            v_status := 'error';
            v_reason := 'Telegram refuses the bot''s token (revoked, or the bot was deleted): '
                        || coalesce(v_tg->>'last_error', 'Unauthorized');
        elsif coalesce((v_tg->>'transient')::integer, 0) >= bot.config_int('bot_degraded_errors', 3) then
            v_status := 'degraded';
            v_reason := format('%s transient Telegram errors (429, 5xx, timeouts) in the last %s s; last: %s',
                               v_tg->>'transient', coalesce(v_tg->>'window_seconds', '?'), coalesce(v_tg->>'last_error', '?'));
        else
            v_status := 'online';
        end if;
    end if;
    insert into nezuko.bot_status as s
        (bot_instance_id, status, status_reason, started_at, last_heartbeat, uptime_seconds, version, instance, metadata)
    values (p_bot_instance_id, v_status, left(v_reason, 500), p_started_at, now(),
            greatest(0, extract(epoch from now() - p_started_at))::bigint, p_version, p_instance,
            coalesce(p_metadata, '{}') || jsonb_build_object(
                'queue_depth', (select count(*) from nezuko.admin_commands c
                                where c.status = 'pending' and c.bot_instance_id = p_bot_instance_id),
                'effects_pending', (select count(*) from nezuko.bot_effects e
                                    where e.status in ('pending', 'running') and e.bot_instance_id = p_bot_instance_id)))
    on conflict (bot_instance_id) do update
    set status = excluded.status, status_reason = excluded.status_reason, started_at = excluded.started_at,
        last_heartbeat = excluded.last_heartbeat, uptime_seconds = excluded.uptime_seconds,
        version = excluded.version, instance = excluded.instance, metadata = excluded.metadata
    where excluded.status <> 'offline' or s.instance is not distinct from excluded.instance;
    return v_interval;
end
$$;
comment on function bot.heartbeat(bigint, text, timestamptz, text, text, jsonb) is
    'Upsert the bot''s bot_status row (status from Telegram''s answers: online, degraded or error with a reason; uptime, version, live counters); returns heartbeat_interval_seconds.';
grant execute on function bot.heartbeat(bigint, text, timestamptz, text, text, jsonb) to nezuko_bridge;
