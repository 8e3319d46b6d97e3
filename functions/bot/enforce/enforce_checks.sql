-- bot.enforce_checks: the checks SQL still needs before it can decide about
-- user p_user in group p_group: every linked channel not answered (or, when
-- p_fresh, not answered in this very update), then, only if a channel is
-- missing, the user's own status in the group (admins are never restricted),
-- and, when the user is to be unmuted, the group's default permissions.
-- An empty array means everything needed is known. Pure: writes nothing.
create function bot.enforce_checks(p_bot bigint, p_group bigint, p_user bigint, p_answers jsonb, p_fresh boolean)
returns jsonb
language plpgsql stable as $$
declare
    s jsonb := bot.enforced_settings(p_bot, p_group, p_user);
    st jsonb;
    v_checks jsonb := '[]';
    v_missing boolean := false;
    r record;
begin
    if s is null then
        return '[]';
    end if;
    for r in select l.channel_id from nezuko.group_channel_links l where l.group_id = p_group order by 1 loop
        st := bot.member_state(r.channel_id, p_user, p_answers, p_fresh);
        if st ? 'unknown' then
            v_checks := v_checks || jsonb_build_object('chat_id', r.channel_id, 'user_id', p_user, 'fresh', p_fresh);
        elsif st ? 'error' then
            v_missing := v_missing or s->>'fail_mode' = 'closed';
        elsif not (st->>'m')::boolean then
            v_missing := true;
        end if;
    end loop;
    if jsonb_array_length(v_checks) > 0 then
        return v_checks;
    end if;
    if v_missing then
        -- Is the user an admin (never restricted), and still in the group?
        if bot.member_state(p_group, p_user, p_answers, false) ? 'unknown' then
            return jsonb_build_array(jsonb_build_object('chat_id', p_group, 'user_id', p_user));
        end if;
    elsif exists (select from nezuko.group_restrictions where group_id = p_group and user_id = p_user and muted)
          and bot.group_permissions(p_group, p_answers) is null then
        return jsonb_build_array(jsonb_build_object('method', 'getChat', 'chat_id', p_group));
    end if;
    return '[]';
end
$$;
grant execute on function bot.enforce_checks(bigint, bigint, bigint, jsonb, boolean) to nezuko_bridge;
