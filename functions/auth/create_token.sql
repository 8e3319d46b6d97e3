-- auth.create_token: a new random bearer token. Only its SHA-256 is stored;
-- the token itself is returned once and never again.
create function auth.create_token(
    p_name text,
    p_role text,
    p_admin_user_id bigint default null,
    p_ttl interval default null
) returns table (token_id bigint, token text, expires_at timestamptz)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    v_token text;
begin
    if p_role is null or p_role not in ('viewer', 'admin') then
        raise exception 'role must be viewer or admin, not %', coalesce(p_role, 'null') using errcode = '22023';
    end if;
    if p_ttl is not null and p_ttl <= interval '0' then
        raise exception 'token lifetime must be positive' using errcode = '22023';
    end if;
    -- 32 random bytes, URL-safe base64 without padding, with a prefix that
    -- makes a leaked token easy to recognise (secret scanners, logs).
    v_token := 'nzk_' || rtrim(translate(encode(public.gen_random_bytes(32), 'base64'), '+/', '-_'), '=');
    return query
    insert into nezuko.api_tokens as k (name, token_sha256, token_prefix, role, admin_user_id, expires_at)
    values (p_name, auth.hash_token(v_token), left(v_token, 10), p_role, p_admin_user_id, now() + p_ttl)
    returning k.id, v_token, k.expires_at;
end
$$;
comment on function auth.create_token(text, text, bigint, interval) is 'Issues a bearer token (returned once; only its hash is kept).';
grant execute on function auth.create_token(text, text, bigint, interval) to nezuko_bridge;
