-- bot.on_callback: a button press. "I have joined" (data nzv:<user id>)
-- works only for the user it was posted for; it re-checks every channel
-- fresh (bypassing the cache) and unmutes at once when subscribed, or says
-- which channels are still missing. Every press is answered.
create function bot.on_callback(p_bot bigint, p_cq jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_id text := p_cq->>'id';
    v_data text := coalesce(p_cq->>'data', '');
    v_uid bigint := (p_cq->'from'->>'id')::bigint;
    v_chat bigint := (p_cq->'message'->'chat'->>'id')::bigint;
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
                'text', 'This button is for someone else.', 'show_alert', true))));
    end if;
    if v_chat is null or not exists (select from nezuko.protected_groups
                                     where group_id = v_chat and bot_instance_id = p_bot and enabled) then
        return jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
            'optional', true, 'params', jsonb_build_object('callback_query_id', v_id,
                'text', 'This group is not protected any more: nothing to check.'))));
    end if;
    v_checks := bot.enforce_checks(p_bot, v_chat, v_uid, p_answers, true);
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks);
    end if;
    v_res := bot.enforce(p_bot, v_chat, p_cq->'from', p_answers, 'verify', null, true);
    if coalesce((v_res->>'verified')::boolean, false) or coalesce((v_res->>'exempt')::boolean, false)
       or not v_res ? 'missing' then
        v_answer := jsonb_build_object('callback_query_id', v_id, 'text', 'Thank you! You can write in the group now.');
    else
        select string_agg(x->>'title', ', ') into v_names from jsonb_array_elements(v_res->'missing') x;
        v_answer := jsonb_build_object('callback_query_id', v_id, 'show_alert', true,
            'text', left('You have not joined yet: ' || v_names || '. Join, then press the button again.', 200));
    end if;
    return bot.merge_plans(
        jsonb_build_object('calls', jsonb_build_array(jsonb_build_object('method', 'answerCallbackQuery',
                                                                         'optional', true, 'params', v_answer))),
        jsonb_build_object('calls', coalesce(v_res->'calls', '[]'), 'record', coalesce(v_res->'record', '[]')));
end
$$;
grant execute on function bot.on_callback(bigint, jsonb, jsonb) to nezuko_bridge;
