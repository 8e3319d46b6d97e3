-- bot.log_api_calls: a batch of Bot API call outcomes from the executor
-- (one round trip per batch, off the hot path) into api_call_log. Answers
-- that say whether the bot can act in a protected group (kicked, not enough
-- rights, chat not found; or a success) move the group's health
-- (bot.note_group_health).
create function bot.log_api_calls(p_rows jsonb) returns void
language plpgsql as $$
begin
    insert into nezuko.api_call_log (method, chat_id, user_id, success, latency_ms, error_type, timestamp)
    select x.method, x.chat_id, x.user_id, x.success, greatest(coalesce(x.latency_ms, 0), 0), x.error_type,
           coalesce(x.ts, now())
    from jsonb_to_recordset(p_rows) as x(method text, chat_id bigint, user_id bigint, success boolean,
                                         latency_ms integer, error_type text, ts timestamptz, description text,
                                         bot_instance_id bigint);
    -- The latest answer per group and method moves the group's health (a
    -- refusal naming the missing right, or a success clearing it).
    perform bot.note_group_health(x.bot_instance_id, x.chat_id, x.method,
                                  jsonb_build_object('ok', x.success, 'error_type', x.error_type, 'description', x.description))
    from (select distinct on (x.bot_instance_id, x.chat_id, x.method) x.*
          from jsonb_to_recordset(p_rows) as x(method text, chat_id bigint, success boolean, error_type text,
                                               description text, bot_instance_id bigint, ts timestamptz)
          where x.chat_id < 0 and x.bot_instance_id is not null
            and (x.success or x.error_type in ('bot_kicked', 'bot_not_member', 'not_enough_rights', 'chat_not_found'))
          order by x.bot_instance_id, x.chat_id, x.method, x.ts desc) x
    where exists (select from nezuko.protected_groups g where g.group_id = x.chat_id);
end
$$;
grant execute on function bot.log_api_calls(jsonb) to nezuko_bridge;
