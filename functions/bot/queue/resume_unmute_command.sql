-- bot.resume_unmute_command: second half of an unmute_user command, after the
-- executor re-checked the user's membership of every linked channel.
-- Called by the executor as resume(bot_instance_id, state, answers):
-- p_state is the plan's state; p_checks the executor's answers
-- ([plan.CheckResult]). Subscribed (creator, administrator, member, or
-- restricted with is_member) to every channel: lift the restriction and
-- delete the bot's prompt, and forget the restriction. Otherwise: no calls,
-- the user stays muted.
-- Lifting restores the group's default permissions, never "everything
-- allowed" (see below).
create function bot.resume_unmute_command(p_bot_instance_id bigint, p_state jsonb, p_checks jsonb) returns jsonb
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    grp bigint := (p_state ->> 'group_id')::bigint;
    usr bigint := (p_state ->> 'user_id')::bigint;
    missing bigint[];
    prompt bigint;
    calls jsonb;
begin
    select coalesce(array_agg(l.channel_id order by l.channel_id), '{}') into missing
    from nezuko.group_channel_links l
    where l.group_id = grp and not exists (
        select from jsonb_array_elements(coalesce(p_checks, '[]')) r
        where (r ->> 'chat_id')::bigint = l.channel_id and (r ->> 'user_id')::bigint = usr
          and (r ->> 'status' in ('creator', 'administrator', 'member')
               or (r ->> 'status' = 'restricted' and coalesce((r ->> 'is_member')::boolean, false))));
    if cardinality(missing) > 0 then
        return jsonb_build_object('calls', '[]'::jsonb,
            'state', p_state || jsonb_build_object('unmuted', false, 'missing_channels', to_jsonb(missing)));
    end if;
    delete from nezuko.group_restrictions where group_id = grp and user_id = usr
    returning prompt_message_id into prompt;
    -- The group's default permissions when known (as bot.release restores
    -- them); otherwise every permission true, which Telegram documents as
    -- "lift the restrictions": the member falls back to the group's defaults.
    calls := jsonb_build_array(jsonb_build_object('method', 'restrictChatMember',
        'params', jsonb_build_object('chat_id', grp, 'user_id', usr,
            'use_independent_chat_permissions', true,
            'permissions', coalesce(bot.group_permissions(grp, null),
                jsonb_build_object('can_send_messages', true, 'can_send_audios', true,
                    'can_send_documents', true, 'can_send_photos', true, 'can_send_videos', true,
                    'can_send_video_notes', true, 'can_send_voice_notes', true, 'can_send_polls', true,
                    'can_send_other_messages', true, 'can_add_web_page_previews', true, 'can_change_info', true,
                    'can_invite_users', true, 'can_pin_messages', true, 'can_manage_topics', true)))));
    if prompt is not null then
        calls := calls || jsonb_build_array(jsonb_build_object('method', 'deleteMessage', 'optional', true,
            'params', jsonb_build_object('chat_id', grp, 'message_id', prompt)));
    end if;
    return jsonb_build_object('calls', calls, 'state', p_state || '{"unmuted": true}');
end
$$;
comment on function bot.resume_unmute_command(bigint, jsonb, jsonb) is
    'Decide an unmute_user command from fresh membership answers: unmute (and delete the prompt) only when subscribed to every linked channel.';
grant execute on function bot.resume_unmute_command(bigint, jsonb, jsonb) to nezuko_bridge;
