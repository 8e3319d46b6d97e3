-- api.set_admin_user_role: make an account a viewer or an admin. Login
-- tokens with the old role are revoked, so the new role applies from the
-- next login.
create function api.set_admin_user_role(p_id bigint, p_role nezuko.role) returns api.admin_user
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.admin_user;
begin
    if p_role is null or p_role not in ('viewer', 'admin') then
        raise exception 'p_role must be viewer or admin' using errcode = '22023';
    end if;
    update nezuko.admin_users set role = p_role where id = p_id
    returning id, email, full_name, role, telegram_user_id, is_active, last_login_at, created_at, updated_at into r;
    if not found then
        raise exception 'no admin user with id %', p_id using hint = 'http:404';
    end if;
    -- Login tokens carry the role they were issued with: revoke them so the
    -- new role applies from the next login.
    update nezuko.api_tokens set revoked_at = now()
    where admin_user_id = p_id and revoked_at is null and role <> p_role;
    return r;
end
$$;
comment on function api.set_admin_user_role(bigint, nezuko.role) is 'Sets an account''s role (viewer or admin). Its login tokens with the old role are revoked; the new role applies from the next login. 404 for an unknown id.
@tag users';
grant execute on function api.set_admin_user_role(bigint, nezuko.role) to nezuko_admin;
