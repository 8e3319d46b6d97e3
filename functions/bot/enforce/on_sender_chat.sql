-- bot.on_sender_chat: a message sent on behalf of a chat (sender_chat) in a
-- group. Exempt: the group itself (an anonymous admin), the group's linked
-- discussion channel (getChat .linked_chat_id, read again after a day) and
-- a chat on the group's whitelist. Any other chat is not a member who can
-- subscribe: its message is deleted in every mode, or, per the setting
-- sender_chat_action, deleted and the chat banned from writing here
-- (banChatSenderChat), or allowed.
create function bot.on_sender_chat(p_bot bigint, p_msg jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    v_sender bigint := (p_msg->'sender_chat'->>'id')::bigint;
    s jsonb := bot.enforced_settings(p_bot, v_chat, v_sender);
    g nezuko.protected_groups;
    a jsonb;
    v_calls jsonb;
begin
    if s is null or v_sender = v_chat or s->>'sender_chat_action' = 'allow' then
        return '{}';
    end if;
    select * into g from nezuko.protected_groups where group_id = v_chat;
    if g.linked_chat_checked_at is null or g.linked_chat_checked_at < now() - interval '1 day' then
        a := bot.answer_for(p_answers, 'getChat', v_chat, null);
        if a is null then
            return jsonb_build_object('checks', jsonb_build_array(jsonb_build_object('method', 'getChat', 'chat_id', v_chat)));
        elsif a->>'error_type' is null then
            update nezuko.protected_groups
            set linked_chat_id = (a->'result'->>'linked_chat_id')::bigint, linked_chat_checked_at = now()
            where group_id = v_chat
            returning * into g;
        end if;
    end if;
    if v_sender = g.linked_chat_id then
        return '{}';
    end if;
    v_calls := jsonb_build_array(jsonb_build_object('method', 'deleteMessage', 'optional', true,
        'params', jsonb_build_object('chat_id', v_chat, 'message_id', (p_msg->>'message_id')::bigint)));
    if s->>'sender_chat_action' = 'ban' then
        v_calls := v_calls || jsonb_build_object('method', 'banChatSenderChat', 'optional', true,
            'params', jsonb_build_object('chat_id', v_chat, 'sender_chat_id', v_sender));
    end if;
    return jsonb_build_object('calls', v_calls);
end
$$;
grant execute on function bot.on_sender_chat(bigint, jsonb, jsonb) to nezuko_bridge;
