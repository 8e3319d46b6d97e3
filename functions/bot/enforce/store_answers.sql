-- bot.store_answers: keeps what Telegram just said: membership answers go to
-- the cache (bot.cache_membership: positive, negative or error TTL), a group's default
-- permissions to protected_groups, and a channel the bot cannot check marks
-- the channel and every group linked to it unhealthy (and healthy again once
-- a check succeeds), so /status and the dashboard say why.
create function bot.store_answers(p_answers jsonb) returns void
language plpgsql as $$
declare
    a jsonb;
    v_chat bigint;
    v_err text;
    v_member boolean;
    v_status text;
begin
    for a in select x from jsonb_array_elements(case when jsonb_typeof(p_answers) = 'array' then p_answers else '[]' end) x loop
        v_chat := (a->>'chat_id')::bigint;
        v_err := a->>'error_type';
        if coalesce(a->>'method', 'getChatMember') = 'getChat' then
            if v_err is null and a->'result' ? 'permissions' then
                update nezuko.protected_groups
                set default_permissions = a->'result'->'permissions', default_permissions_at = now()
                where group_id = v_chat;
            end if;
            continue;
        end if;
        if v_err is null or v_err = 'user_not_found' then
            v_status := case when v_err is null then a->>'status' else 'left' end;
            if v_status not in ('creator', 'administrator', 'member', 'restricted', 'left', 'kicked') then
                continue;
            end if;
            v_member := bot.is_subscribed(v_status, (a->>'is_member')::boolean);
            perform bot.cache_membership(v_chat, (a->>'user_id')::bigint, v_status, v_member);
            -- A channel that answers is checkable again.
            update nezuko.enforced_channels set health = 'ok', health_reason = null, bot_is_admin = true
            where channel_id = v_chat and health <> 'ok';
            if found then
                update nezuko.protected_groups g set health = 'ok', health_reason = null
                where g.health_reason like 'cannot check channel%'
                  and exists (select from nezuko.group_channel_links l where l.group_id = g.group_id and l.channel_id = v_chat)
                  and not exists (select from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
                                  where l.group_id = g.group_id and c.health <> 'ok');
            end if;
        elsif v_err in ('bot_not_admin', 'chat_not_found', 'bot_kicked', 'bot_not_member', 'not_enough_rights') then
            -- Remembered briefly: the next messages of the group do not ask again.
            perform bot.cache_membership(v_chat, (a->>'user_id')::bigint, null, null, v_err);
            update nezuko.enforced_channels
            set health = 'error', bot_is_admin = false,
                health_reason = format('the bot cannot see the members of this channel (%s): make it an admin there', v_err)
            where channel_id = v_chat and (health <> 'error' or bot_is_admin is distinct from false);
            update nezuko.protected_groups g
            set health = 'warning',
                health_reason = format('cannot check channel %s (%s); fail_mode %s decides',
                    coalesce('@' || c.username, c.channel_id::text), v_err, bot.settings(g.params)->>'fail_mode')
            from nezuko.group_channel_links l join nezuko.enforced_channels c using (channel_id)
            where l.group_id = g.group_id and l.channel_id = v_chat and g.health = 'ok';
        end if;
    end loop;
end
$$;
grant execute on function bot.store_answers(jsonb) to nezuko_bridge;
