-- auth.invalid_tokens: which of the API tokens behind open event streams
-- no longer authenticate (revoked, expired, deleted, account deactivated).
-- The relay asks every few seconds and closes those streams.
create function auth.invalid_tokens(p_ids bigint[])
returns setof bigint
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select i.id
    from unnest(p_ids) i(id)
    left join nezuko.api_tokens k on k.id = i.id
    left join nezuko.admin_users u on u.id = k.admin_user_id
    where k.id is null
       or k.revoked_at is not null
       or k.expires_at <= now()
       or (k.admin_user_id is not null and not coalesce(u.is_active, false))
$$;
comment on function auth.invalid_tokens(bigint[]) is 'The ids among p_ids of API tokens that no longer authenticate (the relay closes their event streams).';
grant execute on function auth.invalid_tokens(bigint[]) to nezuko_bridge;
