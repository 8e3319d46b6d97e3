-- auth.begin_request: the first statement of every REST API request, in the
-- same transaction (and pgx batch) as the function call it guards.
--
-- It authenticates the bearer token, then switches the transaction to the
-- caller's PostgreSQL role and records who is calling in settings that the
-- audit triggers read. Everything is SET LOCAL (set_config(..., true)), so it
-- ends with the transaction.
--
-- It is deliberately SECURITY INVOKER and has no SET clause: PostgreSQL
-- refuses SET ROLE inside a security definer function, and undoes a SET
-- LOCAL made inside a function that carries a SET clause when it returns.
-- Names are schema-qualified instead of relying on a pinned search_path.
create function auth.begin_request(p_token text, p_ip text default null, p_user_agent text default null)
returns table (token_id bigint, role text, admin_user_id bigint)
language plpgsql volatile
as $$
declare
    v_timeout_ms bigint;
begin
    -- Two statements in all: who is calling (and the timeout), then the settings.
    select a.token_id, a.role, a.admin_user_id, auth.statement_timeout_ms()
    into token_id, role, admin_user_id, v_timeout_ms
    from auth.authenticate(p_token) a;
    if token_id is null then
        raise exception 'invalid, expired or revoked token' using errcode = '28000';
    end if;
    perform pg_catalog.set_config('nezuko.admin_id', coalesce(admin_user_id::text, ''), true),
            pg_catalog.set_config('nezuko.token_id', token_id::text, true),
            pg_catalog.set_config('nezuko.ip', coalesce(p_ip, ''), true),
            pg_catalog.set_config('nezuko.user_agent', pg_catalog.left(coalesce(p_user_agent, ''), 500), true),
            pg_catalog.set_config('statement_timeout', v_timeout_ms::text, true),
            -- intervals in JSON as ISO 8601 durations (P1DT2H), as the OpenAPI document says
            pg_catalog.set_config('intervalstyle', 'iso_8601', true),
            pg_catalog.set_config('role', 'nezuko_' || role, true);
    return next;
end
$$;
comment on function auth.begin_request(text, text, text) is
    'Authenticates a bearer token and, for the rest of the transaction, switches to its role (nezuko_viewer/nezuko_admin) with the caller recorded in settings nezuko.admin_id, nezuko.token_id, nezuko.ip, nezuko.user_agent and statement_timeout from admin_config (intervals print as ISO 8601). Raises 28000 for a bad token.';
grant execute on function auth.begin_request(text, text, text) to nezuko_bridge;
