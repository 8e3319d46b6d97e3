-- bot.resume_reverify: the rounds of bot.reverify (state: group_id,
-- user_id, answers so far). The final plan's state says whether the user
-- is subscribed and which channels are missing. Called by the executor
-- directly, it is an entry point: it writes the decision's verification
-- rows itself (bot.write_verifications, one insert).
create function bot.resume_reverify(p_bot bigint, p_state jsonb, p_answers jsonb) returns jsonb
language plpgsql as $$
declare
    v_group bigint := (p_state->>'group_id')::bigint;
    v_user bigint := (p_state->>'user_id')::bigint;
    v_all jsonb := coalesce(p_state->'answers', '[]') || coalesce(p_answers, '[]');
    v_checks jsonb;
    v_res jsonb;
begin
    if v_group is null or v_user is null then
        raise exception 'bot.reverify needs a group and a user' using errcode = '22023';
    end if;
    if p_answers is not null then
        perform bot.store_answers(p_answers);
    end if;
    if not exists (select from nezuko.protected_groups where group_id = v_group and bot_instance_id = p_bot and enabled) then
        return jsonb_build_object('state', jsonb_build_object('group_id', v_group, 'user_id', v_user,
                                                             'outcome', 'group not protected by this bot'));
    end if;
    v_checks := bot.enforce_checks(p_bot, v_group, v_user, v_all, true);
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', v_checks, 'resume', 'bot.resume_reverify',
            'state', jsonb_build_object('group_id', v_group, 'user_id', v_user, 'answers', v_all));
    end if;
    v_res := bot.enforce(p_bot, v_group, jsonb_build_object('id', v_user), v_all, 'verify', null, true);
    perform bot.write_verifications(jsonb_build_array(v_res));
    return jsonb_build_object('calls', coalesce(v_res->'calls', '[]'), 'finish', 'bot.finish_update',
        'state', jsonb_build_object('group_id', v_group, 'user_id', v_user, 'record', coalesce(v_res->'record', '[]'),
            'outcome', case when coalesce((v_res->>'verified')::boolean, false) then 'subscribed'
                            when coalesce((v_res->>'exempt')::boolean, false) then 'exempt'
                            else 'missing channels' end,
            'missing', coalesce(v_res->'missing', '[]')));
end
$$;
grant execute on function bot.resume_reverify(bigint, jsonb, jsonb) to nezuko_bridge;
