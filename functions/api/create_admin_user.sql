-- api.create_admin_user: a dashboard account. The password is hashed here
-- with bcrypt (pgcrypto, cost 10) and only the hash is kept.
create function api.create_admin_user(
    p_email text,
    p_password text,
    p_role nezuko.role default 'viewer',
    p_full_name text default null,
    p_telegram_user_id bigint default null
) returns api.admin_user
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.admin_user;
begin
    if p_role is null or p_role not in ('viewer', 'admin') then
        raise exception 'p_role must be viewer or admin' using errcode = '22023';
    end if;
    if p_email is null or p_email !~ '^[^@\s]+@[^@\s]+$' or length(p_email) > 254 then
        raise exception 'p_email is not an email address' using errcode = '22023';
    end if;
    -- bcrypt reads at most 72 bytes; a longer password would be silently cut.
    if p_password is null or length(p_password) < 10 or octet_length(p_password) > 72 then
        raise exception 'p_password must have 10 to 72 bytes' using errcode = '22023';
    end if;
    insert into nezuko.admin_users (email, password_hash, role, full_name, telegram_user_id)
    values (p_email, public.crypt(p_password, public.gen_salt('bf', 10)), p_role, p_full_name, p_telegram_user_id)
    returning id, email, full_name, role, telegram_user_id, is_active, last_login_at, created_at, updated_at into r;
    return r;
end
$$;
comment on function api.create_admin_user(text, text, nezuko.role, text, bigint) is
    'Creates a dashboard account; the password (10-72 bytes) is stored as a bcrypt hash. 409 when the email is taken.
@tag users';
grant execute on function api.create_admin_user(text, text, nezuko.role, text, bigint) to nezuko_admin;
