-- bot.command_protect: /protect @channel [@channel…]. Asks fresh: the bot's
-- own rights in the group, the group (title, permissions), each channel
-- behind its @username and the bot's status there; then says precisely
-- what is missing, or protects: links the channels with their title,
-- username and invite link. The group's language becomes the admin's when
-- the bot speaks it (first /protect only). An anonymous admin (writing as
-- the group) is not a person: the group is recorded with no owner rather
-- than GroupAnonymousBot.
create function bot.command_protect(p_bot bigint, p_msg jsonb, p_answers jsonb, p_checks jsonb, p_args text) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    v_anonymous boolean := coalesce((p_msg->'sender_chat'->>'id')::bigint = v_chat, false);
    v_uid bigint := case when v_anonymous then null else (p_msg->'from'->>'id')::bigint end;
    v_lang text := bot.group_language(v_chat, case when v_anonymous then null else p_msg->'from' end);
    b nezuko.bot_instances;
    a jsonb;
    v_checks jsonb := p_checks;
    v_refs text[] := '{}';
    v_ref text;
    v_problems text[] := '{}';
    v_json jsonb;
    v_val text;
begin
    select * into b from nezuko.bot_instances where id = p_bot;
    for v_ref in select regexp_split_to_table(p_args, '[\s,]+') loop
        v_ref := regexp_replace(v_ref, '^(https?://)?(t\.me/|telegram\.me/)?@?', '');
        if v_ref ~ '^-?[0-9]+$' then
            v_refs := v_refs || v_ref;
        elsif v_ref ~ '^[A-Za-z][A-Za-z0-9_]{3,31}$' then
            v_refs := v_refs || ('@' || v_ref);
        end if;
    end loop;
    if cardinality(v_refs) = 0 then
        if jsonb_array_length(v_checks) > 0 then
            return jsonb_build_object('checks', v_checks);
        end if;
        return bot.reply_call(p_msg, bot.text('protect.usage', v_lang));
    end if;
    if bot.answer_for(p_answers, 'getChatMember', v_chat, b.bot_user_id) is null then
        v_checks := v_checks || jsonb_build_object('chat_id', v_chat, 'user_id', b.bot_user_id, 'fresh', true);
    end if;
    if bot.answer_for(p_answers, 'getChat', v_chat, null) is null then
        v_checks := v_checks || jsonb_build_object('method', 'getChat', 'chat_id', v_chat);
    end if;
    foreach v_ref in array v_refs loop
        a := (select x from jsonb_array_elements(coalesce(p_answers, '[]')) x
              where x->>'method' = 'getChat' and x->>'chat_ref' = v_ref limit 1);
        if a is null then
            v_checks := v_checks || jsonb_build_object('method', 'getChat', 'chat_ref', v_ref);
        elsif a->>'error_type' is null
              and bot.answer_for(p_answers, 'getChatMember', (a->'result'->>'id')::bigint, b.bot_user_id) is null then
            v_checks := v_checks || jsonb_build_object('chat_id', (a->'result'->>'id')::bigint,
                                                       'user_id', b.bot_user_id, 'fresh', true);
        end if;
    end loop;
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks);
    end if;
    -- Everything is known: say precisely what is missing, or protect.
    a := bot.answer_for(p_answers, 'getChatMember', v_chat, b.bot_user_id);
    if coalesce(a->>'status', '') <> 'administrator' then
        v_problems := v_problems || bot.text('protect.not_admin', v_lang);
    else
        if not coalesce((a->'result'->>'can_restrict_members')::boolean, false) then
            v_problems := v_problems || bot.text('protect.no_ban_right', v_lang);
        end if;
        if not coalesce((a->'result'->>'can_delete_messages')::boolean, false) then
            v_problems := v_problems || bot.text('protect.no_delete_right', v_lang);
        end if;
    end if;
    if p_msg->'chat'->>'type' = 'group' then
        v_problems := v_problems || bot.text('protect.basic_group', v_lang);
    end if;
    foreach v_ref in array v_refs loop
        a := (select x from jsonb_array_elements(p_answers) x
              where x->>'method' = 'getChat' and x->>'chat_ref' = v_ref limit 1);
        v_json := jsonb_build_object('channel', bot.html_escape(v_ref));
        if a->>'error_type' is not null then
            v_problems := v_problems || bot.text('protect.channel_not_found', v_lang, v_json);
        elsif a->'result'->>'type' <> 'channel' then
            v_problems := v_problems || bot.text('protect.not_a_channel', v_lang, v_json);
        elsif coalesce(bot.answer_for(p_answers, 'getChatMember', (a->'result'->>'id')::bigint, b.bot_user_id)->>'status', '')
              not in ('administrator', 'creator') then
            v_problems := v_problems || bot.text('protect.not_admin_in_channel', v_lang, v_json);
        end if;
    end loop;
    if cardinality(v_problems) > 0 then
        return bot.reply_call(p_msg, bot.text('protect.cannot_yet', v_lang,
            jsonb_build_object('problems', '• ' || array_to_string(v_problems, E'\n• '))));
    end if;
    if v_uid is not null then
        insert into nezuko.owners (user_id, username, first_name)
        values (v_uid, p_msg->'from'->>'username', p_msg->'from'->>'first_name')
        on conflict (user_id) do nothing;
    end if;
    v_json := bot.answer_for(p_answers, 'getChat', v_chat, null)->'result';
    insert into nezuko.protected_groups (group_id, bot_instance_id, owner_id, title, username, enabled, params,
                                         bot_rights, default_permissions, default_permissions_at, last_synced_at,
                                         linked_chat_id, linked_chat_checked_at)
    values (v_chat, p_bot, v_uid, coalesce(v_json->>'title', p_msg->'chat'->>'title'), v_json->>'username', true,
            case when v_lang <> 'en' then jsonb_build_object('language', v_lang) else '{}' end,
            bot.answer_for(p_answers, 'getChatMember', v_chat, b.bot_user_id)->'result',
            v_json->'permissions', case when v_json ? 'permissions' then now() end, now(),
            (v_json->>'linked_chat_id')::bigint, case when v_json is not null then now() end)
    on conflict (group_id) do update
    set bot_instance_id = excluded.bot_instance_id, enabled = true, title = excluded.title,
        owner_id = coalesce(nezuko.protected_groups.owner_id, excluded.owner_id),
        username = excluded.username, bot_rights = excluded.bot_rights,
        default_permissions = excluded.default_permissions, default_permissions_at = excluded.default_permissions_at,
        health = 'ok', health_reason = null, last_synced_at = now(),
        linked_chat_id = excluded.linked_chat_id, linked_chat_checked_at = excluded.linked_chat_checked_at;
    foreach v_ref in array v_refs loop
        v_json := (select x->'result' from jsonb_array_elements(p_answers) x
                   where x->>'method' = 'getChat' and x->>'chat_ref' = v_ref limit 1);
        insert into nezuko.enforced_channels (channel_id, username, title, invite_link, bot_is_admin, last_synced_at)
        values ((v_json->>'id')::bigint, v_json->>'username', v_json->>'title',
                coalesce(v_json->>'invite_link', 'https://t.me/' || nullif(v_json->>'username', '')), true, now())
        on conflict (channel_id) do update
        set username = excluded.username, title = excluded.title,
            invite_link = coalesce(excluded.invite_link, nezuko.enforced_channels.invite_link),
            bot_is_admin = true, health = 'ok', health_reason = null, last_synced_at = now();
        insert into nezuko.group_channel_links (group_id, channel_id, created_by)
        values (v_chat, (v_json->>'id')::bigint, v_uid)
        on conflict do nothing;
    end loop;
    select string_agg(bot.html_escape(coalesce('@' || c.username, c.title, c.channel_id::text)), ', ' order by c.channel_id)
    into v_val
    from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
    where l.group_id = v_chat;
    return bot.reply_call(p_msg, bot.text('protect.done', bot.group_language(v_chat, null),
                                          jsonb_build_object('channels', v_val)));
end
$$;
grant execute on function bot.command_protect(bigint, jsonb, jsonb, jsonb, text) to nezuko_bridge;
