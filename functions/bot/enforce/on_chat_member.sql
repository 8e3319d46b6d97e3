-- bot.on_chat_member: a member's status changed in a chat where the bot is
-- an admin. In an enforced channel: the update itself refreshes the cache;
-- a join unmutes the user at once in every linked group where this bot
-- restricted them (prompt removed); a leave applies the rule again in every
-- linked group the user is in. In a protected group: a join is checked like
-- a first message (setting verify_on_join); leaving it removes the prompt;
-- a mute lifted by someone other than the bot clears the bot's record.
-- The membership cache is written by bot.cache_membership.
create function bot.on_chat_member(p_bot bigint, p_cm jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_cm->'chat'->>'id')::bigint;
    v_type text := p_cm->'chat'->>'type';
    v_user jsonb := p_cm->'new_chat_member'->'user';
    v_uid bigint := (p_cm->'new_chat_member'->'user'->>'id')::bigint;
    v_new text := p_cm->'new_chat_member'->>'status';
    v_was boolean := bot.is_subscribed(p_cm->'old_chat_member'->>'status', (p_cm->'old_chat_member'->>'is_member')::boolean);
    v_now boolean := bot.is_subscribed(v_new, (p_cm->'new_chat_member'->>'is_member')::boolean);
    v_kind text;
    v_groups bigint[];
    v_group bigint;
    v_checks jsonb := '[]';
    v_res jsonb := '{}';
    v_gr nezuko.group_restrictions;
begin
    if v_chat is null or v_uid is null or v_new is null then
        raise exception 'malformed chat_member update' using errcode = '22023';
    end if;
    if coalesce((v_user->>'is_bot')::boolean, false) then
        return '{}';
    end if;
    -- Telegram just told us the user's status here: that is a fresh answer.
    if v_new in ('creator', 'administrator', 'member', 'restricted', 'left', 'kicked')
       and (exists (select from nezuko.enforced_channels where channel_id = v_chat)
            or exists (select from nezuko.protected_groups where group_id = v_chat)) then
        perform bot.cache_membership(v_chat, v_uid, v_new, v_now);
    end if;

    if v_type = 'channel' then
        if v_now and not v_was then
            v_kind := 'recheck';
            select array_agg(gr.group_id order by gr.group_id) into v_groups
            from nezuko.group_restrictions gr
            join nezuko.group_channel_links l on l.group_id = gr.group_id and l.channel_id = v_chat
            where gr.user_id = v_uid and gr.bot_instance_id = p_bot;
        elsif v_was and not v_now then
            v_kind := 'leave';
            select array_agg(g.group_id order by g.group_id) into v_groups
            from nezuko.group_channel_links l join nezuko.protected_groups g using (group_id)
            where l.channel_id = v_chat and g.bot_instance_id = p_bot and g.enabled;
        else
            return '{}';
        end if;
    elsif v_type in ('group', 'supergroup') then
        -- A restriction lifted by someone else (an admin unmuted by hand):
        -- the bot's record goes, so the next message is enforced again.
        if p_cm->'old_chat_member'->>'status' = 'restricted'
           and (v_new in ('creator', 'administrator', 'member')
                or (v_new = 'restricted' and coalesce((p_cm->'new_chat_member'->>'can_send_messages')::boolean, false)))
           and not exists (select from nezuko.bot_instances where id = p_bot and bot_user_id = (p_cm->'from'->>'id')::bigint) then
            delete from nezuko.group_restrictions
            where group_id = v_chat and user_id = v_uid and bot_instance_id = p_bot and muted
            returning * into v_gr;
            if v_gr.prompt_message_id is not null then
                delete from nezuko.bot_scheduled_deletions where chat_id = v_chat and message_id = v_gr.prompt_message_id;
                return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'deleteMessage',
                    'optional', true, 'params', jsonb_build_object('chat_id', v_chat, 'message_id', v_gr.prompt_message_id))));
            end if;
            return '{}';
        end if;
        if v_now and not v_was and exists (
                select from nezuko.protected_groups
                where group_id = v_chat and bot_instance_id = p_bot and enabled
                  and (bot.settings(params)->>'verify_on_join')::boolean) then
            v_kind := 'join';
            v_groups := array[v_chat];
        elsif v_was and not v_now then
            -- Left the group: the prompt goes (the restriction stays on
            -- record, so a return while still unsubscribed is not a way out,
            -- and a return once subscribed is unmuted by the join check).
            update nezuko.group_restrictions gr set prompt_message_id = null
            from (select prompt_message_id as old_id from nezuko.group_restrictions
                  where group_id = v_chat and user_id = v_uid and bot_instance_id = p_bot for update) o
            where gr.group_id = v_chat and gr.user_id = v_uid and o.old_id is not null
            returning o.old_id into v_res;
            if v_res is not null then
                delete from nezuko.bot_scheduled_deletions where chat_id = v_chat and message_id = (v_res #>> '{}')::bigint;
                return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'deleteMessage',
                    'optional', true, 'params', jsonb_build_object('chat_id', v_chat, 'message_id', (v_res #>> '{}')::bigint))));
            end if;
            return '{}';
        else
            return '{}';
        end if;
    else
        return '{}';
    end if;

    foreach v_group in array coalesce(v_groups, '{}') loop
        v_checks := v_checks || bot.enforce_checks(p_bot, v_group, v_uid, p_answers, false);
    end loop;
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', (select jsonb_agg(distinct c) from jsonb_array_elements(v_checks) c));
    end if;
    foreach v_group in array coalesce(v_groups, '{}') loop
        v_res := bot.merge_plans(v_res, bot.enforce(p_bot, v_group, v_user, p_answers, v_kind, null, false, null));
    end loop;
    return v_res;
end
$$;
grant execute on function bot.on_chat_member(bigint, jsonb, jsonb) to nezuko_bridge;
