-- auth.login: email + password → a bearer token that expires after
-- admin_config login_token_ttl_hours. The password is checked here with
-- pgcrypto's crypt() against the bcrypt hash; it never leaves the database
-- hashed or not.
--
-- Throttled first: while the email or the client address has too many
-- recent failures (admin_config login_max_failures_per_account /
-- _per_address within login_failure_window_seconds), the answer is
-- 'throttled' with the seconds until the oldest counted failure ages out,
-- and no password is hashed. Unknown email, wrong password and deactivated
-- account all answer 'invalid' after the same amount of bcrypt work, so the
-- answer does not tell which emails exist; each records a failure. It
-- answers instead of raising, so that record commits.
create function auth.login(p_email text, p_password text, p_ip inet default null)
returns table (status text, token text, token_id bigint, expires_at timestamptz, role text,
               admin_user_id bigint, retry_after_seconds integer)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    u nezuko.admin_users;
    v_ttl_hours integer;
    v_email text := lower(coalesce(p_email, ''));
    v_window interval := make_interval(secs => bot.config_int('login_failure_window_seconds', 900));
    v_retry integer;
begin
    select ceil(extract(epoch from min(f.failed_at) + v_window - now()))::integer into v_retry
    from (select l.failed_at from nezuko.login_failures l
          where l.email = v_email and l.failed_at > now() - v_window
          order by l.failed_at desc limit bot.config_int('login_max_failures_per_account', 5)) f
    having count(*) >= bot.config_int('login_max_failures_per_account', 5);
    if v_retry is null and p_ip is not null then
        select ceil(extract(epoch from min(f.failed_at) + v_window - now()))::integer into v_retry
        from (select l.failed_at from nezuko.login_failures l
              where l.ip = p_ip and l.failed_at > now() - v_window
              order by l.failed_at desc limit bot.config_int('login_max_failures_per_address', 20)) f
        having count(*) >= bot.config_int('login_max_failures_per_address', 20);
    end if;
    if v_retry is not null then
        return query select 'throttled'::text, null::text, null::bigint, null::timestamptz, null::text, null::bigint, greatest(v_retry, 1);
        return;
    end if;

    select * into u from nezuko.admin_users where lower(email) = v_email;
    -- A fixed bcrypt hash (of a random string) keeps the timing equal.
    if u.id is null or not u.is_active
       or public.crypt(coalesce(p_password, ''), u.password_hash) is distinct from u.password_hash then
        if u.id is null then
            perform public.crypt(coalesce(p_password, ''), '$2a$10$0123456789012345678901uJ1dxbzrBxL1y5ZT9vNq5t3jVr6Wl0m');
        end if;
        delete from nezuko.login_failures where failed_at < now() - v_window;
        insert into nezuko.login_failures (email, ip) values (v_email, p_ip);
        return query select 'invalid'::text, null::text, null::bigint, null::timestamptz, null::text, null::bigint, null::integer;
        return;
    end if;
    delete from nezuko.login_failures where email = v_email;
    v_ttl_hours := coalesce((select (value #>> '{}')::integer from nezuko.admin_config where key = 'login_token_ttl_hours'), 24);
    update nezuko.admin_users set last_login_at = now() where id = u.id;
    return query
    select 'ok'::text, t.token, t.token_id, t.expires_at, u.role, u.id, null::integer
    from auth.create_token('login ' || u.email, u.role, u.id, make_interval(hours => v_ttl_hours)) t;
end
$$;
comment on function auth.login(text, text, inet) is 'Checks an admin''s email and password (bcrypt via pgcrypto crypt()) and issues a bearer token for login_token_ttl_hours: status ok. status invalid for any wrong credential (a failure is recorded); status throttled with retry_after_seconds, before any hashing, while the email or p_ip has too many recent failures.';
grant execute on function auth.login(text, text, inet) to nezuko_bridge;
