-- bot.on_join_request: with join_request_gating, a request to join is
-- approved only for a subscriber of every linked channel; anyone else is
-- declined and told (privately, in their language) which channels to join
-- first. A whitelisted user is approved without a check. A decision
-- returns one verification_log row per channel checked (verifications),
-- for the entry point to write (bot.write_verifications).
create function bot.on_join_request(p_bot bigint, p_req jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_req->'chat'->>'id')::bigint;
    v_uid bigint := (p_req->'from'->>'id')::bigint;
    v_dm bigint := coalesce((p_req->>'user_chat_id')::bigint, (p_req->'from'->>'id')::bigint);
    g nezuko.protected_groups;
    s jsonb;
    r record;
    st jsonb;
    v_checks jsonb := '[]';
    v_missing text[] := '{}';
    v_rows jsonb := '[]';
    v_ver jsonb := '[]';
    v_lang text;
begin
    if v_chat is null or v_uid is null then
        raise exception 'malformed chat_join_request' using errcode = '22023';
    end if;
    select * into g from nezuko.protected_groups where group_id = v_chat and bot_instance_id = p_bot and enabled;
    if not found then
        return '{}';
    end if;
    s := bot.settings(g.params);
    v_lang := bot.user_language(p_req->'from', s->>'language'); -- a private message: the requester's language
    if not (s->>'join_request_gating')::boolean then
        return '{}'; -- admins decide
    end if;
    if bot.enforced_settings(p_bot, v_chat, v_uid) is null then
        -- whitelisted: nothing to check
        return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'approveChatJoinRequest',
            'optional', true, 'params', jsonb_build_object('chat_id', v_chat, 'user_id', v_uid))));
    end if;
    for r in select l.channel_id from nezuko.group_channel_links l where l.group_id = v_chat order by 1 loop
        if bot.member_state(r.channel_id, v_uid, p_answers, false) ? 'unknown' then
            v_checks := v_checks || jsonb_build_object('chat_id', r.channel_id, 'user_id', v_uid);
        end if;
    end loop;
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks);
    end if;
    for r in select c.* from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
             where l.group_id = v_chat order by c.channel_id loop
        st := bot.member_state(r.channel_id, v_uid, p_answers, false);
        v_ver := v_ver || jsonb_build_object('user_id', v_uid, 'group_id', v_chat, 'channel_id', r.channel_id,
            'status', case when st ? 'error' then 'error' when (st->>'m')::boolean then 'verified' else 'restricted' end,
            'latency_ms', coalesce((st->>'latency')::int, 0), 'cached', coalesce((st->>'cached')::boolean, false),
            'error_type', st->>'error');
        if (st ? 'error' and s->>'fail_mode' = 'closed') or (not st ? 'error' and not (st->>'m')::boolean) then
            v_missing := v_missing || coalesce(r.title, '@' || r.username, r.channel_id::text);
            if bot.channel_button_url(r.invite_link, r.username) is not null then
                v_rows := v_rows || jsonb_build_array(jsonb_build_array(jsonb_build_object(
                    'text', left(bot.text('prompt.join_button', v_lang,
                                          jsonb_build_object('channel', coalesce(r.title, r.username))), 64),
                    'url', bot.channel_button_url(r.invite_link, r.username))));
            end if;
        end if;
    end loop;
    v_ver := case when jsonb_array_length(v_ver) > 0 then jsonb_build_object('verifications', v_ver) else '{}' end;
    if cardinality(v_missing) = 0 then
        return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'approveChatJoinRequest',
            'optional', true, 'params', jsonb_build_object('chat_id', v_chat, 'user_id', v_uid)))) || v_ver;
    end if;
    return jsonb_build_object('calls', jsonb_build_array(
        jsonb_build_object('method', 'declineChatJoinRequest', 'optional', true,
            'params', jsonb_build_object('chat_id', v_chat, 'user_id', v_uid)),
        bot.send_call(v_dm, bot.text('join_request.declined', v_lang, jsonb_build_object(
                'group', bot.html_escape(coalesce(g.title, bot.text('prompt.this_group', v_lang))),
                'channels', bot.html_escape(array_to_string(v_missing, ', ')))),
            null, case when jsonb_array_length(v_rows) > 0 then jsonb_build_object('inline_keyboard', v_rows) end)))
        || v_ver;
end
$$;
grant execute on function bot.on_join_request(bigint, jsonb, jsonb) to nezuko_bridge;
