-- bot.on_my_chat_member: the bot's own status changed somewhere. Removed
-- from or demoted in a protected group → the group's health says so (the
-- bot keeps serving every other group); made admin again → healthy, rights
-- recorded. In an enforced channel: whether the bot can check members.
create function bot.on_my_chat_member(p_bot bigint, p_m jsonb) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_m->'chat'->>'id')::bigint;
    v_new text := p_m->'new_chat_member'->>'status';
begin
    if v_chat is null or v_new is null then
        raise exception 'malformed my_chat_member update' using errcode = '22023';
    end if;
    if p_m->'chat'->>'type' = 'channel' then
        update nezuko.enforced_channels
        set bot_is_admin = v_new in ('administrator', 'creator'),
            health = case when v_new in ('administrator', 'creator') then 'ok' else 'error' end,
            health_reason = case when v_new in ('administrator', 'creator') then null
                                 else 'the bot is no longer an admin of this channel and cannot check its members' end
        where channel_id = v_chat;
        return '{}';
    end if;
    update nezuko.protected_groups
    set bot_rights = case when v_new = 'administrator' then p_m->'new_chat_member' else null end,
        health = case when v_new = 'administrator' then 'ok' else 'error' end,
        health_reason = case v_new
            when 'administrator' then null
            when 'member' then 'the bot is no longer an admin of this group: it cannot delete or mute'
            else 'the bot was removed from this group' end
    where group_id = v_chat and bot_instance_id = p_bot;
    if found and v_new <> 'administrator' then
        insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
        values ('WARNING', 'bot', 'bot lost its admin rights in a protected group',
                jsonb_build_object('group_id', v_chat, 'status', v_new), p_bot);
    end if;
    return '{}';
end
$$;
grant execute on function bot.on_my_chat_member(bigint, jsonb) to nezuko_bridge;
