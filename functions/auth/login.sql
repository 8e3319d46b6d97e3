-- auth.login: email + password → a bearer token that expires after
-- admin_config login_token_ttl_hours. The password is checked here with
-- pgcrypto's crypt() against the bcrypt hash; it never leaves the database
-- hashed or not. Unknown email, wrong password and deactivated account all
-- raise the same 28000, after the same amount of bcrypt work, so the answer
-- does not tell which emails exist.
create function auth.login(p_email text, p_password text)
returns table (token text, token_id bigint, expires_at timestamptz, role text, admin_user_id bigint)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    u nezuko.admin_users;
    v_ttl_hours integer;
begin
    select * into u from nezuko.admin_users where lower(email) = lower(p_email);
    -- A fixed bcrypt hash (of a random string) keeps the timing equal.
    if u.id is null or not u.is_active
       or public.crypt(coalesce(p_password, ''), u.password_hash) is distinct from u.password_hash then
        if u.id is null then
            perform public.crypt(coalesce(p_password, ''), '$2a$10$0123456789012345678901uJ1dxbzrBxL1y5ZT9vNq5t3jVr6Wl0m');
        end if;
        raise exception 'invalid email or password' using errcode = '28000';
    end if;
    v_ttl_hours := coalesce((select (value #>> '{}')::integer from nezuko.admin_config where key = 'login_token_ttl_hours'), 24);
    update nezuko.admin_users set last_login_at = now() where id = u.id;
    return query
    select t.token, t.token_id, t.expires_at, u.role, u.id
    from auth.create_token('login ' || u.email, u.role, u.id, make_interval(hours => v_ttl_hours)) t;
end
$$;
comment on function auth.login(text, text) is 'Checks an admin''s email and password (bcrypt via pgcrypto crypt()) and issues a bearer token for login_token_ttl_hours. Raises 28000 on any failure.';
grant execute on function auth.login(text, text) to nezuko_bridge;
