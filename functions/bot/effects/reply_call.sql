-- bot.reply_call: a reply to a command message, as a partial decision; the
-- reply is scheduled for deletion when the group has auto_delete_seconds.
create function bot.reply_call(p_msg jsonb, p_text text) returns jsonb
language sql stable as $$
    select jsonb_build_object(
        'calls', jsonb_build_array(bot.send_call((p_msg->'chat'->>'id')::bigint, p_text, (p_msg->>'message_id')::bigint)),
        'record', coalesce((
            select jsonb_build_array(jsonb_build_object('kind', 'autodelete', 'chat_id', g.group_id, 'call', 0,
                                                        'seconds', (bot.settings(g.params)->>'auto_delete_seconds')::int))
            from nezuko.protected_groups g
            where g.group_id = (p_msg->'chat'->>'id')::bigint
              and (bot.settings(g.params)->>'auto_delete_seconds')::int > 0), '[]'))
$$;
grant execute on function bot.reply_call(jsonb, text) to nezuko_bridge;
