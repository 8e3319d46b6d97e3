-- auth.revoke_token: ends a bearer token at once (logout). Takes the token
-- itself, so a caller can only revoke a token it holds.
create function auth.revoke_token(p_token text) returns boolean
language sql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
    with r as (
        update nezuko.api_tokens set revoked_at = now()
        where token_sha256 = auth.hash_token(p_token) and revoked_at is null
        returning id
    )
    select exists (select from r)
$$;
comment on function auth.revoke_token(text) is 'Revokes the given bearer token (logout); false when it was unknown or already revoked.';
grant execute on function auth.revoke_token(text) to nezuko_bridge;
