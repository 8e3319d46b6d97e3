-- auth.begin_read_request: auth.begin_request for a read replica. The same
-- checks and the same transaction settings (caller, statement_timeout,
-- role), but nothing written: the token's last use is reported to the
-- primary later (auth.touch_tokens). SECURITY INVOKER without a SET clause,
-- for the same reasons as auth.begin_request.
create function auth.begin_read_request(p_token text, p_ip text default null, p_user_agent text default null)
returns table (token_id bigint, role text, admin_user_id bigint)
language plpgsql volatile
as $$
declare
    v_timeout_ms bigint;
begin
    select a.token_id, a.role, a.admin_user_id, auth.statement_timeout_ms()
    into token_id, role, admin_user_id, v_timeout_ms
    from auth.token_caller(p_token) a;
    if token_id is null then
        raise exception 'invalid, expired or revoked token' using errcode = '28000';
    end if;
    perform pg_catalog.set_config('nezuko.admin_id', coalesce(admin_user_id::text, ''), true),
            pg_catalog.set_config('nezuko.token_id', token_id::text, true),
            pg_catalog.set_config('nezuko.ip', coalesce(p_ip, ''), true),
            pg_catalog.set_config('nezuko.user_agent', pg_catalog.left(coalesce(p_user_agent, ''), 500), true),
            pg_catalog.set_config('statement_timeout', v_timeout_ms::text, true),
            pg_catalog.set_config('intervalstyle', 'iso_8601', true),
            pg_catalog.set_config('role', 'nezuko_' || role, true);
    return next;
end
$$;
comment on function auth.begin_read_request(text, text, text) is
    'auth.begin_request for a read replica: authenticates without writing and switches to the caller''s role for the transaction. Raises 28000 for a bad token.';
grant execute on function auth.begin_read_request(text, text, text) to nezuko_bridge;
