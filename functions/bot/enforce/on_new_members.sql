-- bot.on_new_members: a "joined" service message (new_chat_members), the
-- only sign of a join in groups where the bot gets no chat_member updates.
-- Each new member (not a bot) is checked like a chat_member join (setting
-- verify_on_join); a join seen both ways is harmless (one mute, one prompt).
create function bot.on_new_members(p_bot bigint, p_group bigint, p_members jsonb, p_answers jsonb, p_thread bigint)
returns jsonb
language plpgsql as $$
declare
    u jsonb;
    v_users jsonb := '[]';
    v_checks jsonb := '[]';
    v_res jsonb := '{}';
begin
    if not coalesce((select (bot.settings(params)->>'verify_on_join')::boolean from nezuko.protected_groups
                     where group_id = p_group and bot_instance_id = p_bot and enabled), false) then
        return '{}';
    end if;
    for u in select x from jsonb_array_elements(p_members) x
             where not coalesce((x->>'is_bot')::boolean, false) and x->>'id' ~ '^[0-9]{1,19}$' loop
        v_users := v_users || u;
        v_checks := v_checks || bot.enforce_checks(p_bot, p_group, (u->>'id')::bigint, p_answers, false);
    end loop;
    if jsonb_array_length(v_checks) > 0 then
        return jsonb_build_object('checks', (select jsonb_agg(distinct c) from jsonb_array_elements(v_checks) c));
    end if;
    for u in select x from jsonb_array_elements(v_users) x loop
        v_res := bot.merge_plans(v_res, bot.enforce(p_bot, p_group, u, p_answers, 'join', null, false, p_thread));
    end loop;
    return v_res;
end
$$;
grant execute on function bot.on_new_members(bigint, bigint, jsonb, jsonb, bigint) to nezuko_bridge;
