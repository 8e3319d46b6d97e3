-- bot.on_callback: a button press. "I have joined" (data nzv:<user id>)
-- works only for the user it was posted for; it re-checks every channel
-- fresh (bypassing the cache) and unmutes at once when subscribed, or says
-- which channels are still missing. In a group whose protection is off it
-- releases the presser (the bot's restriction has no reason left).
-- Every press is answered, in the presser's language when the bot speaks
-- it (only they see the answer), else the group's. The check's
-- verification rows (bot.enforce) are passed up with the plan.
create function bot.on_callback(p_bot bigint, p_cq jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_id text := p_cq->>'id';
    v_data text := coalesce(p_cq->>'data', '');
    v_uid bigint := (p_cq->'from'->>'id')::bigint;
    v_chat bigint := (p_cq->'message'->'chat'->>'id')::bigint;
    v_lang text := bot.user_language(p_cq->'from', bot.group_language(v_chat, null));
    g nezuko.protected_groups;
    v_target bigint;
    v_checks jsonb;
    v_res jsonb;
    v_answer jsonb;
    v_names text;
begin
    if v_id is null then
        raise exception 'malformed callback_query: no id' using errcode = '22023';
    end if;
    if v_data !~ '^nzv:[0-9]{1,19}$' then
        return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
            'optional', true, 'params', jsonb_build_object('callback_query_id', v_id))));
    end if;
    v_target := substring(v_data from 5)::bigint;
    if v_target <> v_uid then
        return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
            'optional', true, 'params', jsonb_build_object('callback_query_id', v_id,
                'text', bot.text('callback.not_for_you', v_lang), 'show_alert', true))));
    end if;
    select * into g from nezuko.protected_groups where group_id = v_chat and bot_instance_id = p_bot;
    if v_chat is null or not found then
        return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
            'optional', true, 'params', jsonb_build_object('callback_query_id', v_id,
                'text', bot.text('callback.not_protected', v_lang)))));
    end if;
    if not g.enabled then
        -- Protection is off: whatever the bot did to the presser is undone.
        if exists (select from nezuko.group_restrictions where group_id = v_chat and user_id = v_uid and muted)
           and bot.group_permissions(v_chat, p_answers) is null then
            return jsonb_build_object('checks', jsonb_build_array(jsonb_build_object('method', 'getChat', 'chat_id', v_chat)));
        end if;
        return bot.merge_plans(
            jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
                'optional', true, 'params', jsonb_build_object('callback_query_id', v_id,
                    'text', bot.text('callback.released', v_lang))))),
            bot.release(p_bot, v_chat, v_uid, p_answers));
    end if;
    v_checks := bot.enforce_checks(p_bot, v_chat, v_uid, p_answers, true);
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks);
    end if;
    v_res := bot.enforce(p_bot, v_chat, p_cq->'from', p_answers, 'verify', null, true);
    if coalesce((v_res->>'verified')::boolean, false) or coalesce((v_res->>'exempt')::boolean, false)
       or not v_res ? 'missing' then
        v_answer := jsonb_build_object('callback_query_id', v_id, 'text', bot.text('callback.verified', v_lang));
    else
        select string_agg(x->>'title', ', ') into v_names from jsonb_array_elements(v_res->'missing') x;
        v_answer := jsonb_build_object('callback_query_id', v_id, 'show_alert', true,
            'text', left(bot.text('callback.still_missing', v_lang, jsonb_build_object('channels', v_names)), 200));
    end if;
    return bot.merge_plans(
        jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
                                                                         'optional', true, 'params', v_answer))),
        jsonb_build_object('calls', coalesce(v_res->'calls', '[]'), 'record', coalesce(v_res->'record', '[]'))
        || case when v_res ? 'verifications' then jsonb_build_object('verifications', v_res->'verifications') else '{}' end);
end
$$;
grant execute on function bot.on_callback(bigint, jsonb, jsonb) to nezuko_bridge;
