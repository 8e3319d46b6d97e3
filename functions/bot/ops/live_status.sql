-- bot.live_status: a bot's status as the dashboard should read it. A
-- heartbeat older than two heartbeat intervals means the bot is down,
-- whatever its last row says (a crashed process writes no "offline").
create function bot.live_status(p_status text, p_last_heartbeat timestamptz) returns text
language sql stable parallel safe as $$
    select case
        when p_status is null then null
        when p_status in ('starting', 'online', 'degraded')
             and p_last_heartbeat < now() - 2 * make_interval(secs => bot.config_int('heartbeat_interval_seconds', 30))
            then 'offline'
        else p_status
    end
$$;
comment on function bot.live_status(text, timestamptz) is 'bot_status.status, or offline when the last heartbeat is older than two intervals.';
grant execute on function bot.live_status(text, timestamptz) to nezuko_bridge;
