-- bot.release_group: lifts everything bot p_bot did in group p_group: each
-- member it restricted is released (bot.release: unmuted back to the
-- group's default permissions, prompt deleted, record forgotten). Used when
-- protection ends there (/unprotect, the group disabled). p_answers may
-- carry this round's getChat; else the stored default permissions are used
-- however old (better than guessing), else Telegram's defaults.
-- Returns {calls, record, released}.
create function bot.release_group(p_bot bigint, p_group bigint, p_answers jsonb default null) returns jsonb
language plpgsql as $$
declare
    v_answers jsonb := coalesce(p_answers, '[]');
    v_res jsonb := '{}';
    v_n integer := 0;
    r record;
begin
    if bot.group_permissions(p_group, v_answers) is null then
        v_answers := v_answers || coalesce((
            select jsonb_build_array(jsonb_build_object('method', 'getChat', 'chat_id', p_group,
                                                        'result', jsonb_build_object('permissions', default_permissions)))
            from nezuko.protected_groups where group_id = p_group and default_permissions is not null), '[]');
    end if;
    for r in select user_id from nezuko.group_restrictions
             where group_id = p_group and bot_instance_id = p_bot order by user_id loop
        v_res := bot.merge_plans(v_res, bot.release(p_bot, p_group, r.user_id, v_answers));
        v_n := v_n + 1;
    end loop;
    return v_res || jsonb_build_object('released', v_n);
end
$$;
grant execute on function bot.release_group(bigint, bigint, jsonb) to nezuko_bridge;
