-- auth.token_caller: who is calling, read-only: auth.authenticate without
-- marking the token used, for requests served by a read replica (a hot
-- standby refuses writes). The bridge reports those uses to the primary in
-- batches (auth.touch_tokens).
create function auth.token_caller(p_token text)
returns table (token_id bigint, role text, admin_user_id bigint)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select k.id, k.role, k.admin_user_id
    from nezuko.api_tokens k
    left join nezuko.admin_users u on u.id = k.admin_user_id
    where k.token_sha256 = auth.hash_token(p_token)
      and k.revoked_at is null
      and (k.expires_at is null or k.expires_at > now())
      and (k.admin_user_id is null or u.is_active)
$$;
comment on function auth.token_caller(text) is 'The role and account behind a bearer token, without marking it used (read replicas); no row when it is unknown, revoked, expired or its account is inactive.';
grant execute on function auth.token_caller(text) to nezuko_bridge;
