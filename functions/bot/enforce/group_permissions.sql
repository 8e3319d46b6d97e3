-- bot.group_permissions: the group's default member permissions, from this
-- round's getChat answer or from protected_groups while still fresh; null
-- when they must be fetched (an unmute restores exactly these).
create function bot.group_permissions(p_group bigint, p_answers jsonb) returns jsonb
language sql stable as $$
    select coalesce(
        (select bot.answer_for(p_answers, 'getChat', p_group, null)->'result'->'permissions'),
        (select default_permissions from nezuko.protected_groups
         where group_id = p_group
           and default_permissions_at > now() - make_interval(secs => bot.config_int('group_permissions_ttl_seconds', 600))))
$$;
grant execute on function bot.group_permissions(bigint, jsonb) to nezuko_bridge;
