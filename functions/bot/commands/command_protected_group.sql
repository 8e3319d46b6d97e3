-- bot.command_protected_group: the group a command other than /protect acts
-- on: this bot's row of protected_groups for the message's chat, or null
-- (the command then answers group.not_protected).
create function bot.command_protected_group(p_bot bigint, p_msg jsonb) returns nezuko.protected_groups
language sql stable as $$
    select g from nezuko.protected_groups g
    where g.group_id = (p_msg->'chat'->>'id')::bigint and g.bot_instance_id = p_bot
$$;
grant execute on function bot.command_protected_group(bigint, jsonb) to nezuko_bridge;
