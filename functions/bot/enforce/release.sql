-- bot.release: lifts what this bot did to a user in a group: unmute back to
-- the group's default permissions (never "everything allowed") when the bot
-- muted them, delete its prompt, and forget the restriction.
-- Only users in group_restrictions are ever unmuted: the bot never lifts a
-- restriction an admin made. Returns {calls, record}.
create function bot.release(p_bot bigint, p_group bigint, p_user bigint, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    gr nezuko.group_restrictions;
    v_calls jsonb := '[]';
    v_record jsonb := '[]';
    v_perms jsonb;
begin
    delete from nezuko.group_restrictions where group_id = p_group and user_id = p_user returning * into gr;
    if not found then
        return '{}';
    end if;
    if gr.muted then
        v_perms := coalesce(bot.group_permissions(p_group, p_answers),
            -- getChat failed: Telegram's own defaults for a new group
            jsonb_build_object('can_send_messages', true, 'can_send_audios', true, 'can_send_documents', true,
                'can_send_photos', true, 'can_send_videos', true, 'can_send_video_notes', true,
                'can_send_voice_notes', true, 'can_send_polls', true, 'can_send_other_messages', true,
                'can_add_web_page_previews', true, 'can_change_info', false, 'can_invite_users', true,
                'can_pin_messages', false, 'can_manage_topics', false));
        v_record := v_record || jsonb_build_object('kind', 'unmute', 'group_id', p_group, 'user_id', p_user,
                                                   'bot', p_bot, 'call', jsonb_array_length(v_calls));
        v_calls := v_calls || jsonb_build_object('method', 'restrictChatMember', 'optional', true, 'params',
            jsonb_build_object('chat_id', p_group, 'user_id', p_user, 'permissions', v_perms,
                               'use_independent_chat_permissions', true));
    end if;
    if gr.prompt_message_id is not null then
        v_calls := v_calls || jsonb_build_object('method', 'deleteMessage', 'optional', true, 'params',
            jsonb_build_object('chat_id', p_group, 'message_id', gr.prompt_message_id));
        delete from nezuko.bot_scheduled_deletions where chat_id = p_group and message_id = gr.prompt_message_id;
    end if;
    return jsonb_build_object('calls', v_calls, 'record', v_record);
end
$$;
grant execute on function bot.release(bigint, bigint, bigint, jsonb) to nezuko_bridge;
