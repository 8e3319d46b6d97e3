-- bot.enforced_settings: the one rule for "does enforcement apply to this
-- member here": group p_group is protected by bot p_bot and enabled, and
-- user (or sender chat) p_user is neither on the group's whitelist nor the
-- bot itself. Returns the group's effective settings (bot.settings) plus
-- its title under "_title" when it applies, else null. Admins are exempt
-- too, but that needs Telegram's answer: bot.enforce decides it.
--
-- PL/pgSQL, not SQL: its statements' plans are cached for the session; as
-- a SQL function called from PL/pgSQL it cost ~3x as much per call (it
-- runs twice per decided message).
create function bot.enforced_settings(p_bot bigint, p_group bigint, p_user bigint) returns jsonb
language plpgsql stable as $$
declare
    v_params jsonb;
    v_title text;
    s jsonb;
begin
    select g.params, g.title into v_params, v_title
    from nezuko.protected_groups g
    where g.group_id = p_group and g.bot_instance_id = p_bot and g.enabled;
    if not found then
        return null;
    end if;
    s := bot.settings(v_params);
    if s->'whitelist' @> to_jsonb(p_user)
       or exists (select from nezuko.bot_instances b where b.id = p_bot and b.bot_user_id = p_user) then
        return null;
    end if;
    return s || jsonb_build_object('_title', v_title);
end
$$;
grant execute on function bot.enforced_settings(bigint, bigint, bigint) to nezuko_bridge;
