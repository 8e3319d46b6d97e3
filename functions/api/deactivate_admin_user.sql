-- api.deactivate_admin_user: the account can no longer log in, and its
-- tokens stop working at once (auth.authenticate checks is_active).
create function api.deactivate_admin_user(p_id bigint) returns api.admin_user
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.admin_user;
begin
    update nezuko.admin_users set is_active = false where id = p_id
    returning id, email, full_name, role, telegram_user_id, is_active, last_login_at, created_at, updated_at into r;
    if not found then
        raise exception 'no admin user with id %', p_id using hint = 'http:404';
    end if;
    return r;
end
$$;
comment on function api.deactivate_admin_user(bigint) is 'Deactivates a dashboard account: no more logins, and its tokens stop working at once. 404 for an unknown id.
@tag users';
grant execute on function api.deactivate_admin_user(bigint) to nezuko_admin;
