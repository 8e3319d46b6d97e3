-- api.list_admin_users: dashboard accounts, a page at a time with the
-- total; never a password hash.
create function api.list_admin_users(
    p_role nezuko.role default null,
    p_active boolean default null,
    p_search text default null,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.admin_user[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    if p_role is not null and p_role not in ('viewer', 'admin') then
        raise exception 'p_role must be viewer or admin' using errcode = '22023';
    end if;
    with matching as (
        select u.* from nezuko.admin_users u
        where (p_role is null or u.role = p_role)
          and (p_active is null or u.is_active = p_active)
          and (p_search is null or u.email ilike '%' || p_search || '%' or u.full_name ilike '%' || p_search || '%')
    )
    select (select count(*) from matching),
           coalesce((select array_agg(row(u.id, u.email, u.full_name, u.role, u.telegram_user_id, u.is_active,
                                          u.last_login_at, u.created_at, u.updated_at)::api.admin_user order by u.id)
                     from (select * from matching order by id limit p_limit offset p_offset) u), '{}')
    into total, items;
end
$$;
comment on function api.list_admin_users(nezuko.role, boolean, text, nezuko.page_limit, nezuko.page_offset) is
    'Dashboard accounts by id, paginated with the total; filters: p_role, p_active, p_search (email or name). Password hashes are never returned.
@tag users';
grant execute on function api.list_admin_users(nezuko.role, boolean, text, nezuko.page_limit, nezuko.page_offset) to nezuko_admin;
