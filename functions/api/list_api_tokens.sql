-- api.list_api_tokens: bearer tokens by prefix; never a token or its hash.
create function api.list_api_tokens(
    p_include_revoked boolean default false,
    out id bigint,
    out name text,
    out token_prefix text,
    out role text,
    out admin_user_id bigint,
    out created_at timestamptz,
    out expires_at timestamptz,
    out revoked_at timestamptz,
    out last_used_at timestamptz
) returns setof record
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select k.id, k.name, k.token_prefix, k.role, k.admin_user_id, k.created_at, k.expires_at, k.revoked_at, k.last_used_at
    from nezuko.api_tokens k
    where p_include_revoked or k.revoked_at is null
    order by k.id
$$;
comment on function api.list_api_tokens(boolean) is 'API tokens (name, first characters, role, expiry, last use), by id; revoked ones only with p_include_revoked. Never the token or its hash.
@tag tokens';
grant execute on function api.list_api_tokens(boolean) to nezuko_admin;
