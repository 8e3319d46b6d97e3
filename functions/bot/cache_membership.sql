-- bot.cache_membership: the one writer of nezuko.membership_cache: Telegram
-- said user p_user has status p_status (and is_member, for restricted) in
-- chat p_chat. Kept for the positive or negative TTL of admin_config
-- (membership_cache_ttl_positive_seconds / _negative_seconds). Returns
-- whether that status counts as subscribed (a member). Statuses Telegram
-- may add later are not cached.
create function bot.cache_membership(p_chat bigint, p_user bigint, p_status text, p_is_member boolean)
returns boolean
language plpgsql as $$
declare
    v_member boolean := bot.is_subscribed(p_status, p_is_member);
begin
    if p_status not in ('creator', 'administrator', 'member', 'restricted', 'left', 'kicked') then
        return v_member;
    end if;
    insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, checked_at, expires_at)
    values (p_chat, p_user, p_status, v_member, now(), now() + make_interval(secs => case when v_member
                then bot.config_int('membership_cache_ttl_positive_seconds', 600)
                else bot.config_int('membership_cache_ttl_negative_seconds', 60) end))
    on conflict (channel_id, user_id) do update
    set member_status = excluded.member_status, is_member = excluded.is_member,
        checked_at = excluded.checked_at, expires_at = excluded.expires_at;
    return v_member;
end
$$;
grant execute on function bot.cache_membership(bigint, bigint, text, boolean) to nezuko_bridge;
