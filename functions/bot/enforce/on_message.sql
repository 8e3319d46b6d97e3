-- bot.on_message: a message or edited message. A command goes to
-- bot.on_command (never an edit: editing an old /command does not run it
-- again); a supergroup migration carries the group over; "joined" service
-- messages start the join check (bot.on_new_members); a message sent as a
-- chat goes through bot.on_sender_chat; otherwise, in a protected group,
-- the sender is checked unless a bot, an automatic forward of the linked
-- channel, or a service message. In a forum group the prompt goes to the
-- topic written in. Returns a partial decision ({checks} or {calls, record}).
create function bot.on_message(p_bot bigint, p_msg jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    v_type text := p_msg->'chat'->>'type';
    v_text text := coalesce(p_msg->>'text', '');
    v_uid bigint := (p_msg->'from'->>'id')::bigint;
    v_thread bigint := case when coalesce((p_msg->>'is_topic_message')::boolean, false)
                            then (p_msg->>'message_thread_id')::bigint end;
    v_res jsonb;
begin
    if v_chat is null then
        raise exception 'malformed message: no chat id' using errcode = '22023';
    end if;
    if p_msg ? 'migrate_to_chat_id' then
        perform bot.migrate_group(v_chat, (p_msg->>'migrate_to_chat_id')::bigint);
        return '{}';
    elsif p_msg ? 'migrate_from_chat_id' then
        perform bot.migrate_group((p_msg->>'migrate_from_chat_id')::bigint, v_chat);
        return '{}';
    end if;
    if v_text ~ '^/[A-Za-z_]+(@[A-Za-z0-9_]+)?(\s|$)' and not p_msg ? 'edit_date' then
        v_res := bot.on_command(p_bot, p_msg, p_answers);
        if v_res is not null then
            return v_res;
        end if;
        -- not a command for us, or from a non-admin: an ordinary message
    end if;
    if v_type not in ('group', 'supergroup') or v_uid is null then
        return '{}';
    end if;
    if jsonb_typeof(p_msg->'new_chat_members') = 'array' then
        return bot.on_new_members(p_bot, v_chat, p_msg->'new_chat_members', p_answers, v_thread);
    end if;
    if coalesce((p_msg->>'is_automatic_forward')::boolean, false) then
        return '{}'; -- the linked channel's post, copied into its discussion group
    end if;
    if p_msg ? 'sender_chat' then
        return bot.on_sender_chat(p_bot, p_msg, p_answers);
    end if;
    if coalesce((p_msg->'from'->>'is_bot')::boolean, false)
       or p_msg ?| array['left_chat_member', 'new_chat_title', 'new_chat_photo',
                         'delete_chat_photo', 'group_chat_created', 'supergroup_chat_created', 'pinned_message',
                         'message_auto_delete_timer_changed', 'video_chat_started', 'video_chat_ended',
                         'forum_topic_created', 'forum_topic_closed', 'forum_topic_reopened'] then
        return '{}';
    end if;
    -- One user: bot.enforce asks for what it lacks ({checks}) itself.
    return bot.enforce(p_bot, v_chat, p_msg->'from', p_answers, 'message', (p_msg->>'message_id')::bigint, false, v_thread);
end
$$;
grant execute on function bot.on_message(bigint, jsonb, jsonb) to nezuko_bridge;
