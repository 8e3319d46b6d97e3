-- bot.decide: routes an update to its handler. While the handler still
-- needs facts only Telegram has, the answer is a plan of checks (resumed by
-- bot.resume_update with the update in the state). Once it has decided, the
-- Bot API calls it wants are written as effects (bot.enqueue_effects) and
-- the update is marked processed, both in this transaction, and the answer
-- is an empty plan: the bridge acknowledges the update after the commit and
-- never waits for Telegram to carry the calls out. Either way the handler's
-- verification rows ride along as the plan's "verifications", for the entry
-- point to write (bot.write_verifications) and strip.
create function bot.decide(p_bot bigint, p_update jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_key text;
    v_res jsonb;
    v_update_id bigint := (p_update->>'update_id')::bigint;
    v_ver jsonb;
begin
    select k into v_key from unnest(array['message', 'edited_message', 'callback_query', 'chat_member',
                                          'my_chat_member', 'chat_join_request']) k
    where p_update ? k limit 1;
    if v_key is not null and jsonb_typeof(p_update->v_key) <> 'object' then
        raise exception 'malformed update %: % is not an object', v_update_id, v_key using errcode = '22023';
    end if;
    v_res := case v_key
        when 'message' then bot.on_message(p_bot, p_update->'message', p_answers)
        when 'edited_message' then bot.on_message(p_bot, p_update->'edited_message', p_answers)
        when 'callback_query' then bot.on_callback(p_bot, p_update->'callback_query', p_answers)
        when 'chat_member' then bot.on_chat_member(p_bot, p_update->'chat_member', p_answers)
        when 'my_chat_member' then bot.on_my_chat_member(p_bot, p_update->'my_chat_member')
        when 'chat_join_request' then bot.on_join_request(p_bot, p_update->'chat_join_request', p_answers)
        else '{}'
    end;
    v_ver := case when v_res ? 'verifications' then jsonb_build_object('verifications', v_res->'verifications') else '{}' end;
    if jsonb_array_length(coalesce(v_res->'checks', '[]')) > 0 then
        return jsonb_build_object('checks', v_res->'checks', 'resume', 'bot.resume_update',
            'state', jsonb_build_object('update', p_update, 'answers', coalesce(p_answers, '[]'))) || v_ver;
    end if;
    -- Decided: the calls become durable effects in this same transaction,
    -- and the update is processed (a redelivery has no second effect).
    if jsonb_array_length(coalesce(v_res->'calls', '[]')) > 0 then
        perform bot.enqueue_effects(p_bot, v_res, 'update:' || v_update_id);
    end if;
    insert into nezuko.processed_updates (bot_instance_id, update_id) values (p_bot, v_update_id)
    on conflict do nothing;
    return v_ver;
end
$$;
grant execute on function bot.decide(bigint, jsonb, jsonb) to nezuko_bridge;
