-- bot.send_call: a sendMessage call in HTML, optionally as a reply.
create function bot.send_call(p_chat bigint, p_text text, p_reply_to bigint default null, p_markup jsonb default null)
returns jsonb
language sql immutable as $$
    select jsonb_build_object('method', 'sendMessage', 'optional', true, 'params',
        jsonb_strip_nulls(jsonb_build_object(
            'chat_id', p_chat, 'text', left(p_text, 4096), 'parse_mode', 'HTML',
            'link_preview_options', jsonb_build_object('is_disabled', true),
            'reply_markup', p_markup,
            'reply_parameters', case when p_reply_to is not null then
                jsonb_build_object('message_id', p_reply_to, 'allow_sending_without_reply', true) end)))
$$;
grant execute on function bot.send_call(bigint, text, bigint, jsonb) to nezuko_bridge;
