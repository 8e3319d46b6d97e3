-- bot.on_command: routes /start, /help, /protect, /unprotect, /status and
-- /settings to one function each (bot.command_<name>). In a group only
-- admins (or anonymous admins) may use them: for anyone else, or a command
-- meant for another bot, it returns null and the message is enforced like
-- any other. The caller's status is asked fresh (not from the cache), in
-- the same round as whatever the command itself needs (p_checks).
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
    v_username text;
    v_checks jsonb := '[]';
    a jsonb;
begin
    select username into v_username from nezuko.bot_instances where id = p_bot;
    if v_target is not null and lower(v_target) <> lower(v_username) then
        return null;
    end if;
    if v_type = 'private' then
        if v_cmd in ('start', 'help') then
            return bot.command_help(p_bot, p_msg, p_answers, '[]', v_args);
        end if;
        return bot.reply_call(p_msg, bot.text('private.use_in_group', bot.user_language(p_msg->'from')));
    end if;
    if v_type not in ('group', 'supergroup') or v_cmd not in ('start', 'help', 'protect', 'unprotect', 'status', 'settings') then
        return null;
    end if;
    -- Who is asking: an anonymous admin writes as the group itself.
    if not coalesce((p_msg->'sender_chat'->>'id')::bigint = v_chat, false) then
        if v_uid is null or p_msg ? 'sender_chat' then
            return null;
        end if;
        a := bot.answer_for(p_answers, 'getChatMember', v_chat, v_uid);
        if a is null then
            v_checks := jsonb_build_array(jsonb_build_object('chat_id', v_chat, 'user_id', v_uid, 'fresh', true));
        elsif coalesce(a->>'status', '') not in ('creator', 'administrator') then
            return null;
        end if;
    end if;
    return case v_cmd
        when 'protect' then bot.command_protect(p_bot, p_msg, p_answers, v_checks, v_args)
        when 'unprotect' then bot.command_unprotect(p_bot, p_msg, p_answers, v_checks, v_args)
        when 'status' then bot.command_status(p_bot, p_msg, p_answers, v_checks, v_args)
        when 'settings' then bot.command_settings(p_bot, p_msg, p_answers, v_checks, v_args)
        else bot.command_help(p_bot, p_msg, p_answers, v_checks, v_args)
    end;
end
$$;
grant execute on function bot.on_command(bigint, jsonb, jsonb) to nezuko_bridge;
