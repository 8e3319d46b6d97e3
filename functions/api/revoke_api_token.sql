-- api.revoke_api_token: end any bearer token by id (an admin's kill switch;
-- a caller ends its own token with POST /v1/auth/logout).
create function api.revoke_api_token(p_id bigint, out revoked boolean)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    update nezuko.api_tokens set revoked_at = now() where id = p_id and revoked_at is null;
    if not found then
        raise exception 'no active token with id %', p_id using hint = 'http:404';
    end if;
    revoked := true;
end
$$;
comment on function api.revoke_api_token(bigint) is 'Revokes a bearer token by id, effective at once. 404 when no active token has that id.
@tag tokens';
grant execute on function api.revoke_api_token(bigint) to nezuko_admin;
