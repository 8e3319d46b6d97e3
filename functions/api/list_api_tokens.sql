-- api.list_api_tokens: bearer tokens, a page at a time with the total; never
-- a token or its hash.
create function api.list_api_tokens(
    p_include_revoked boolean default false,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.api_token[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    with matching as (
        select k.* from nezuko.api_tokens k where p_include_revoked or k.revoked_at is null
    )
    select (select count(*) from matching),
           coalesce((select array_agg(row(k.id, k.name, k.token_prefix, k.role, k.admin_user_id, k.created_at,
                                          k.expires_at, k.revoked_at, k.last_used_at)::api.api_token order by k.id)
                     from (select * from matching order by id limit p_limit offset p_offset) k), '{}')
    into total, items;
end
$$;
comment on function api.list_api_tokens(boolean, nezuko.page_limit, nezuko.page_offset) is 'API tokens (name, first characters, role, expiry, last use) by id, paginated with the total; revoked ones only with p_include_revoked. Never the token or its hash.
@tag tokens';
grant execute on function api.list_api_tokens(boolean, nezuko.page_limit, nezuko.page_offset) to nezuko_admin;
