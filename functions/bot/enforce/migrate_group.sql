-- bot.migrate_group: a group became a supergroup (new chat id): its
-- protection, settings, links and restrictions move to the new id. Idempotent
-- (both the old chat's migrate_to and the new chat's migrate_from arrive).
create function bot.migrate_group(p_old bigint, p_new bigint) returns void
language plpgsql as $$
begin
    if p_old is null or p_new is null or p_old = p_new then
        return;
    end if;
    if exists (select from nezuko.protected_groups where group_id = p_new) then
        return;
    end if;
    -- group_channel_links follows by ON UPDATE CASCADE
    update nezuko.protected_groups set group_id = p_new, default_permissions = null, default_permissions_at = null
    where group_id = p_old;
    if found then
        update nezuko.group_restrictions set group_id = p_new where group_id = p_old;
        update nezuko.membership_cache set channel_id = p_new where channel_id = p_old
            and not exists (select from nezuko.membership_cache m2 where m2.channel_id = p_new and m2.user_id = membership_cache.user_id);
        insert into nezuko.admin_logs (level, logger, message, attributes)
        values ('INFO', 'bot', 'group migrated to a supergroup; protection carried over',
                jsonb_build_object('old_group_id', p_old, 'new_group_id', p_new));
    end if;
end
$$;
grant execute on function bot.migrate_group(bigint, bigint) to nezuko_bridge;
