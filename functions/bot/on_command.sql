-- bot.on_command: /start, /help, /protect, /unprotect, /status, /settings.
-- In a group only admins (or anonymous admins) may use them: for anyone
-- else, or a command meant for another bot, it returns null and the message
-- is enforced like any other. Facts are asked fresh (not from the cache):
-- the caller's status, the bot's rights, the channels behind @usernames.
create function bot.on_command(p_bot bigint, p_msg jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_text text := p_msg->>'text';
    v_chat bigint := (p_msg->'chat'->>'id')::bigint;
    v_type text := p_msg->'chat'->>'type';
    v_uid bigint := (p_msg->'from'->>'id')::bigint;
    v_cmd text := lower(substring(v_text from '^/([A-Za-z_]+)'));
    v_target text := substring(v_text from '^/[A-Za-z_]+@([A-Za-z0-9_]+)');
    v_args text := btrim(coalesce(substring(v_text from '^/\S+\s+(.*)$'), ''), E' \t\n');
    b nezuko.bot_instances;
    g nezuko.protected_groups;
    a jsonb;
    v_checks jsonb := '[]';
    v_refs text[] := '{}';
    v_ref text;
    v_problems text[] := '{}';
    v_res jsonb;
    v_calls jsonb;
    v_s jsonb;
    v_key text;
    v_val text;
    v_new jsonb;
    v_json jsonb;
    v_lines text[];
    r record;
    v_n integer;
begin
    select * into b from nezuko.bot_instances where id = p_bot;
    if v_target is not null and lower(v_target) <> lower(b.username) then
        return null;
    end if;
    if v_type = 'private' then
        if v_cmd in ('start', 'help') then
            return bot.reply_call(p_msg, bot.help_text(b.username));
        end if;
        return bot.reply_call(p_msg, 'Commands work in a group where I am an admin. Send /help to see how to set me up.');
    end if;
    if v_type not in ('group', 'supergroup') or v_cmd not in ('start', 'help', 'protect', 'unprotect', 'status', 'settings') then
        return null;
    end if;

    -- Who is asking: an anonymous admin writes as the group itself.
    if not coalesce((p_msg->'sender_chat'->>'id')::bigint = v_chat, false) then
        if v_uid is null then
            return null;
        end if;
        a := bot.answer_for(p_answers, 'getChatMember', v_chat, v_uid);
        if a is null then
            v_checks := v_checks || jsonb_build_object('chat_id', v_chat, 'user_id', v_uid, 'fresh', true);
        elsif coalesce(a->>'status', '') not in ('creator', 'administrator') then
            return null;
        end if;
    end if;
    select * into g from nezuko.protected_groups where group_id = v_chat;

    if v_cmd in ('start', 'help') then
        if jsonb_array_length(v_checks) > 0 then
            return jsonb_build_object('checks', v_checks);
        end if;
        return bot.reply_call(p_msg, bot.help_text(b.username));
    end if;

    if v_cmd = 'protect' then
        for v_ref in select regexp_split_to_table(v_args, '[\s,]+') loop
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
            return bot.reply_call(p_msg, 'Usage: <code>/protect @channel</code> (several: <code>/protect @a @b</code>).');
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
            v_problems := v_problems || 'I am not an admin in this group: promote me with the rights "Delete messages" and "Ban users".'::text;
        else
            if not coalesce((a->'result'->>'can_restrict_members')::boolean, false) then
                v_problems := v_problems || 'I am an admin here but lack the right "Ban users" (needed to mute).'::text;
            end if;
            if not coalesce((a->'result'->>'can_delete_messages')::boolean, false) then
                v_problems := v_problems || 'I am an admin here but lack the right "Delete messages".'::text;
            end if;
        end if;
        if v_type = 'group' then
            v_problems := v_problems || 'This is a basic group: Telegram lets bots mute members only in supergroups (make the group public once, or enable the history for new members, to upgrade it).'::text;
        end if;
        foreach v_ref in array v_refs loop
            a := (select x from jsonb_array_elements(p_answers) x
                  where x->>'method' = 'getChat' and x->>'chat_ref' = v_ref limit 1);
            if a->>'error_type' is not null then
                v_problems := v_problems || format('%s: channel not found (check the username, and that I am a member of it).', bot.html_escape(v_ref));
            elsif a->'result'->>'type' <> 'channel' then
                v_problems := v_problems || format('%s is not a channel.', bot.html_escape(v_ref));
            else
                v_json := bot.answer_for(p_answers, 'getChatMember', (a->'result'->>'id')::bigint, b.bot_user_id);
                if coalesce(v_json->>'status', '') not in ('administrator', 'creator') then
                    v_problems := v_problems || format('I am not an admin in %s: add me as an admin there (no rights needed) so I can see who is subscribed.', bot.html_escape(v_ref));
                end if;
            end if;
        end loop;
        if cardinality(v_problems) > 0 then
            return bot.reply_call(p_msg, E'Cannot protect this group yet:\n• ' || array_to_string(v_problems, E'\n• '));
        end if;
        if v_uid is not null then
            insert into nezuko.owners (user_id, username, first_name)
            values (v_uid, p_msg->'from'->>'username', p_msg->'from'->>'first_name')
            on conflict (user_id) do nothing;
        end if;
        v_json := bot.answer_for(p_answers, 'getChat', v_chat, null)->'result';
        insert into nezuko.protected_groups (group_id, bot_instance_id, owner_id, title, username, enabled,
                                             bot_rights, default_permissions, default_permissions_at, last_synced_at)
        values (v_chat, p_bot, v_uid, coalesce(v_json->>'title', p_msg->'chat'->>'title'), v_json->>'username', true,
                bot.answer_for(p_answers, 'getChatMember', v_chat, b.bot_user_id)->'result',
                v_json->'permissions', case when v_json ? 'permissions' then now() end, now())
        on conflict (group_id) do update
        set bot_instance_id = excluded.bot_instance_id, enabled = true, title = excluded.title,
            username = excluded.username, bot_rights = excluded.bot_rights,
            default_permissions = excluded.default_permissions, default_permissions_at = excluded.default_permissions_at,
            health = 'ok', health_reason = null, last_synced_at = now();
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
        return bot.reply_call(p_msg, format(E'🛡 This group is protected. Members must join: %s.\nSee /settings to change how.', v_val));
    end if;

    -- The remaining commands need a protected group.
    if g.group_id is null or g.bot_instance_id is distinct from p_bot then
        if jsonb_array_length(v_checks) > 0 then
            return jsonb_build_object('checks', v_checks);
        end if;
        return bot.reply_call(p_msg, 'This group is not protected. Use <code>/protect @channel</code> first.');
    end if;
    v_s := bot.settings(g.params);

    if v_cmd = 'unprotect' then
        if exists (select from nezuko.group_restrictions where group_id = v_chat and muted)
           and bot.group_permissions(v_chat, p_answers) is null then
            v_checks := v_checks || jsonb_build_object('method', 'getChat', 'chat_id', v_chat);
        end if;
        if jsonb_array_length(v_checks) > 0 then
            return jsonb_build_object('checks', v_checks);
        end if;
        v_res := '{}';
        v_n := 0;
        for r in select user_id from nezuko.group_restrictions where group_id = v_chat loop
            v_res := bot.merge_plans(v_res, bot.release(p_bot, v_chat, r.user_id, p_answers));
            v_n := v_n + 1;
        end loop;
        delete from nezuko.group_channel_links where group_id = v_chat;
        update nezuko.protected_groups set enabled = false where group_id = v_chat;
        return bot.merge_plans(v_res,
            bot.reply_call(p_msg, format('Protection removed. %s member(s) the bot had restricted are free again.', v_n)));
    end if;

    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks);
    end if;

    if v_cmd = 'status' then
        v_lines := array[format('<b>Protection</b>: %s', case when g.enabled then 'on' else 'off (disabled)' end),
                         format('<b>Health</b>: %s%s', g.health, coalesce(' — ' || bot.html_escape(g.health_reason), ''))];
        for r in select c.* from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
                 where l.group_id = v_chat order by c.channel_id loop
            v_lines := v_lines || format('• %s: %s', bot.html_escape(coalesce('@' || r.username, r.title, r.channel_id::text)),
                case when r.health = 'ok' then 'ok' else bot.html_escape(coalesce(r.health_reason, r.health)) end);
        end loop;
        v_lines := v_lines || format('<b>Mode</b>: %s, fail_mode %s', v_s->>'mode', v_s->>'fail_mode');
        v_lines := v_lines || format('<b>Restricted now</b>: %s',
            (select count(*) from nezuko.group_restrictions where group_id = v_chat));
        select format('<b>Checks in 24 h</b>: %s verified, %s restricted, %s errors',
                      count(*) filter (where status = 'verified'), count(*) filter (where status = 'restricted'),
                      count(*) filter (where status = 'error'))
        into v_val
        from nezuko.verification_log where group_id = v_chat and timestamp > now() - interval '24 hours';
        v_lines := v_lines || v_val;
        return bot.reply_call(p_msg, array_to_string(v_lines, E'\n'));
    end if;

    -- /settings, /settings key value
    if v_args = '' then
        select string_agg(format('<code>%s</code> = %s', key, bot.html_escape(value::text)), E'\n' order by key)
        into v_val from jsonb_each(v_s);
        return bot.reply_call(p_msg, E'<b>Settings</b>\n' || v_val || E'\nChange: <code>/settings key value</code>');
    end if;
    v_key := lower(split_part(v_args, ' ', 1));
    v_val := btrim(substring(v_args from length(split_part(v_args, ' ', 1)) + 1));
    begin
        if v_key in ('mute_duration_seconds', 'auto_delete_seconds') then
            if v_val !~ '^[0-9]{1,9}$' then
                raise exception '% must be a whole number', v_key using errcode = '22023';
            end if;
            v_json := to_jsonb(v_val::bigint);
        elsif v_key in ('verify_on_join', 'join_request_gating') then
            if lower(v_val) not in ('on', 'off', 'true', 'false', 'yes', 'no') then
                raise exception '% must be on or off', v_key using errcode = '22023';
            end if;
            v_json := to_jsonb(lower(v_val) in ('on', 'true', 'yes'));
        elsif v_key = 'whitelist' then
            v_ref := lower(split_part(v_val, ' ', 1));
            v_val := btrim(substring(v_val from length(v_ref) + 1));
            if v_ref = 'clear' then
                v_json := '[]';
            elsif v_ref in ('add', 'remove') and v_val ~ '^[0-9]{1,19}$' then
                select coalesce(jsonb_agg(distinct e), '[]') into v_json
                from (select e from jsonb_array_elements(v_s->'whitelist') e where e <> to_jsonb(v_val::bigint)
                      union all select to_jsonb(v_val::bigint) where v_ref = 'add') t;
            else
                raise exception 'whitelist: use add <user id>, remove <user id> or clear' using errcode = '22023';
            end if;
        else
            v_json := to_jsonb(v_val);
        end if;
        v_new := g.params || jsonb_build_object(v_key, v_json);
        perform nezuko.check_group_params(v_new);
        update nezuko.protected_groups set params = v_new where group_id = v_chat;
    exception when sqlstate '22023' then
        return bot.reply_call(p_msg, 'Not changed: ' || bot.html_escape(sqlerrm));
    end;
    return bot.reply_call(p_msg, format('Set <code>%s</code> = %s', bot.html_escape(v_key), bot.html_escape(v_json::text)));
end
$$;
grant execute on function bot.on_command(bigint, jsonb, jsonb) to nezuko_bridge;
