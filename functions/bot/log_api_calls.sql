-- bot.log_api_calls: a batch of Bot API call outcomes from the executor
-- (one round trip per batch, off the hot path) into api_call_log. Errors
-- that say the bot cannot act in a protected group (kicked, not enough
-- rights, chat not found) set the group's health and go to admin_logs.
create function bot.log_api_calls(p_rows jsonb) returns void
language plpgsql as $$
begin
    insert into nezuko.api_call_log (method, chat_id, user_id, success, latency_ms, error_type, timestamp)
    select x.method, x.chat_id, x.user_id, x.success, greatest(coalesce(x.latency_ms, 0), 0), x.error_type,
           coalesce(x.ts, now())
    from jsonb_to_recordset(p_rows) as x(method text, chat_id bigint, user_id bigint, success boolean,
                                         latency_ms integer, error_type text, ts timestamptz, description text,
                                         bot_instance_id bigint);
    with bad as (
        select distinct on (x.chat_id) x.chat_id, x.error_type, x.method, x.description, x.bot_instance_id
        from jsonb_to_recordset(p_rows) as x(method text, chat_id bigint, success boolean, error_type text,
                                             description text, bot_instance_id bigint)
        where not x.success and x.error_type in ('bot_kicked', 'bot_not_member', 'not_enough_rights', 'chat_not_found')
        order by x.chat_id
    ), upd as (
        update nezuko.protected_groups g
        set health = 'error',
            health_reason = case bad.error_type
                when 'bot_kicked' then 'the bot was kicked from this group'
                when 'bot_not_member' then 'the bot is not a member of this group'
                when 'chat_not_found' then 'Telegram does not know this group any more (deleted or migrated?)'
                else format('the bot lacks a right it needs here (%s failed: %s)', bad.method, bad.description) end
        from bad
        where g.group_id = bad.chat_id
        returning g.group_id, bad.error_type, bad.method, bad.description, bad.bot_instance_id
    )
    insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
    select 'WARNING', 'bot', 'Bot API call failed in a protected group: ' || upd.error_type,
           jsonb_build_object('group_id', upd.group_id, 'method', upd.method, 'description', upd.description),
           upd.bot_instance_id
    from upd;
end
$$;
grant execute on function bot.log_api_calls(jsonb) to nezuko_bridge;
