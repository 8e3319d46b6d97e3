-- bot.cache_membership: the one writer of the membership cache. An answer
-- (status) is kept for the positive or negative TTL of admin_config; a
-- failed check (p_error_type: the bot cannot see the chat's members) for
-- membership_cache_ttl_error_seconds, so such a channel costs one call per
-- TTL, not one per message.
--
-- PL/pgSQL, so the INSERT's plan is cached for the session: as a SQL
-- function called from PL/pgSQL (bot.store_answers, once per answer) it was
-- parsed and planned on every call, ~85 µs against ~42 µs (psql, 2,000
-- calls in a DO loop).
create function bot.cache_membership(p_chat bigint, p_user bigint, p_status text, p_is_member boolean,
                                     p_error_type text default null) returns void
language plpgsql as $$
begin
    insert into nezuko.membership_cache (channel_id, user_id, member_status, is_member, error_type, checked_at, expires_at)
    values (p_chat, p_user, case when p_error_type is null then p_status else 'error' end,
            p_error_type is null and coalesce(p_is_member, false), p_error_type, now(),
            now() + make_interval(secs => case
                when p_error_type is not null then bot.config_int('membership_cache_ttl_error_seconds', 30)
                when p_is_member then bot.config_int('membership_cache_ttl_positive_seconds', 600)
                else bot.config_int('membership_cache_ttl_negative_seconds', 60) end))
    on conflict (channel_id, user_id) do update
    set member_status = excluded.member_status, is_member = excluded.is_member, error_type = excluded.error_type,
        checked_at = excluded.checked_at, expires_at = excluded.expires_at;
end
$$;
comment on function bot.cache_membership(bigint, bigint, text, boolean, text) is
    'Store Telegram''s membership answer (or a failed check) in nezuko.membership_cache with the admin_config TTLs.';
grant execute on function bot.cache_membership(bigint, bigint, text, boolean, text) to nezuko_bridge;
