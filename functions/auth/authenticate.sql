-- auth.authenticate: who is calling. Returns the token's role and account,
-- or no row when the token is unknown, revoked, expired, or its account is
-- deactivated. Marks the token used (at most once a minute, to keep hot
-- tokens from rewriting their row on every request). Only one of the
-- requests running at that moment writes: the others skip the locked row
-- rather than wait for its commit and then write it again (every request in
-- flight queued behind the one before, a synchronous commit each).
create function auth.authenticate(p_token text)
returns table (token_id bigint, role text, admin_user_id bigint)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    return query
    with t as (
        select k.id, k.role, k.admin_user_id, k.last_used_at
        from nezuko.api_tokens k
        left join nezuko.admin_users u on u.id = k.admin_user_id
        where k.token_sha256 = auth.hash_token(p_token)
          and k.revoked_at is null
          and (k.expires_at is null or k.expires_at > now())
          and (k.admin_user_id is null or u.is_active)
    ), stale as (
        select k.id from nezuko.api_tokens k join t on t.id = k.id
        where t.last_used_at is null or t.last_used_at < now() - interval '1 minute'
        -- rechecked on the row as locked: skip it if another request just wrote it
          and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute')
        for update of k skip locked
    ), touched as (
        update nezuko.api_tokens k set last_used_at = now() from stale where k.id = stale.id
    )
    select t.id, t.role, t.admin_user_id from t;
end
$$;
comment on function auth.authenticate(text) is 'The role and account behind a bearer token; no row when it is unknown, revoked, expired or its account is inactive.';
grant execute on function auth.authenticate(text) to nezuko_bridge;
