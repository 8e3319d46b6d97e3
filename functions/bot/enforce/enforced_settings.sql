-- bot.enforced_settings: the one rule for "does enforcement apply to this
-- member here": group p_group is protected by bot p_bot and enabled, and
-- user (or sender chat) p_user is neither on the group's whitelist nor the
-- bot itself. Returns the group's effective settings (bot.settings) plus
-- its title under "_title" when it applies, else null. Admins are exempt
-- too, but that needs Telegram's answer: bot.enforce decides it.
create function bot.enforced_settings(p_bot bigint, p_group bigint, p_user bigint) returns jsonb
language sql stable as $$
    select s || jsonb_build_object('_title', g.title)
    from nezuko.protected_groups g
    cross join lateral bot.settings(g.params) s
    where g.group_id = p_group and g.bot_instance_id = p_bot and g.enabled
      and not s->'whitelist' @> to_jsonb(p_user)
      and not exists (select from nezuko.bot_instances b where b.id = p_bot and b.bot_user_id = p_user)
$$;
grant execute on function bot.enforced_settings(bigint, bigint, bigint) to nezuko_bridge;
