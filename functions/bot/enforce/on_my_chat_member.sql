-- bot.on_my_chat_member: the bot's own status changed somewhere. Removed
-- from or demoted in a protected group → the group's health says so (the
-- bot keeps serving every other group); made admin again → healthy, rights
-- recorded. Once it cannot restrict there any more, it forgets whom it
-- restricted (naming them in the log) and deletes its prompts. In an
-- enforced channel: whether the bot can check members.
create function bot.on_my_chat_member(p_bot bigint, p_m jsonb) returns jsonb
language plpgsql as $$
declare
    v_chat bigint := (p_m->'chat'->>'id')::bigint;
    v_new text := p_m->'new_chat_member'->>'status';
    v_calls jsonb := '[]';
    v_muted bigint[];
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
    if found and (v_new <> 'administrator'
                  or not coalesce((p_m->'new_chat_member'->>'can_restrict_members')::boolean, false)) then
        -- The bot can no longer restrict here, so it no longer owns any
        -- restriction: its records go, its prompts are deleted (a bot may
        -- delete its own messages while still in the group), and whoever it
        -- muted is named in the log, since only an admin can lift that now.
        with gone as (
            delete from nezuko.group_restrictions where group_id = v_chat and bot_instance_id = p_bot returning *
        )
        select coalesce(array_agg(user_id order by user_id) filter (where muted), '{}'),
               coalesce(jsonb_agg(jsonb_build_object('method', 'deleteMessage', 'optional', true,
                   'params', jsonb_build_object('chat_id', v_chat, 'message_id', prompt_message_id)))
                   filter (where prompt_message_id is not null), '[]')
        into v_muted, v_calls
        from gone;
        delete from nezuko.bot_scheduled_deletions where chat_id = v_chat and bot_instance_id = p_bot;
        insert into nezuko.admin_logs (level, logger, message, attributes, bot_instance_id)
        values ('WARNING', 'bot', 'bot lost its admin rights in a protected group',
                jsonb_build_object('group_id', v_chat, 'status', v_new, 'still_muted_user_ids', to_jsonb(v_muted)), p_bot);
        if v_new in ('left', 'kicked') then
            return '{}';
        end if;
        return jsonb_build_object('calls', v_calls);
    end if;
    return '{}';
end
$$;
grant execute on function bot.on_my_chat_member(bigint, jsonb) to nezuko_bridge;
