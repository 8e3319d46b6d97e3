-- api.list_admin_users: dashboard accounts; never a password hash.
create function api.list_admin_users() returns setof api.admin_user
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select u.id, u.email, u.full_name, u.role, u.telegram_user_id, u.is_active, u.last_login_at, u.created_at, u.updated_at
    from nezuko.admin_users u order by u.id
$$;
comment on function api.list_admin_users() is 'Dashboard accounts (viewer or admin), by id. Password hashes are never returned.
@tag users';
grant execute on function api.list_admin_users() to nezuko_admin;
