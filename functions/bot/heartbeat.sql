-- bot.heartbeat: a running bot says it is alive. Upserts bot_status (uptime
-- from p_started_at; metadata is the caller's counters plus queue_depth, the
-- bot's pending commands) and returns heartbeat_interval_seconds, so the caller
-- follows a change of the setting without a restart.
create function bot.heartbeat(
    p_bot_instance_id bigint, p_status text, p_started_at timestamptz,
    p_version text default null, p_instance text default null, p_metadata jsonb default '{}'
) returns integer
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
begin
    if p_status is null or p_status not in ('starting', 'online', 'degraded', 'offline', 'error') then
        raise exception 'status must be starting, online, degraded, offline or error' using errcode = '22023';
    end if;
    insert into nezuko.bot_status as s
        (bot_instance_id, status, started_at, last_heartbeat, uptime_seconds, version, instance, metadata)
    values (p_bot_instance_id, p_status, p_started_at, now(),
            greatest(0, extract(epoch from now() - p_started_at))::bigint, p_version, p_instance,
            coalesce(p_metadata, '{}') || jsonb_build_object('queue_depth',
                (select count(*) from nezuko.admin_commands c
                 where c.status = 'pending' and c.bot_instance_id = p_bot_instance_id)))
    on conflict (bot_instance_id) do update
    set status = excluded.status, started_at = excluded.started_at, last_heartbeat = excluded.last_heartbeat,
        uptime_seconds = excluded.uptime_seconds, version = excluded.version, instance = excluded.instance,
        metadata = excluded.metadata;
    return coalesce((select (value #>> '{}')::integer from nezuko.admin_config
                     where key = 'heartbeat_interval_seconds'), 30);
end
$$;
comment on function bot.heartbeat(bigint, text, timestamptz, text, text, jsonb) is
    'Upsert the bot''s bot_status row (status, uptime, version, live counters); returns heartbeat_interval_seconds.';
grant execute on function bot.heartbeat(bigint, text, timestamptz, text, text, jsonb) to nezuko_bridge;
