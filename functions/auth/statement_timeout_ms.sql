-- auth.statement_timeout_ms: the per-request statement_timeout of the REST
-- API, from admin_config (api_statement_timeout_ms), 5 s when unset.
create function auth.statement_timeout_ms() returns bigint
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select coalesce((select (value #>> '{}')::bigint from nezuko.admin_config where key = 'api_statement_timeout_ms'), 5000)
$$;
comment on function auth.statement_timeout_ms() is 'statement_timeout (ms) for each REST API request: admin_config api_statement_timeout_ms, default 5000.';
grant execute on function auth.statement_timeout_ms() to nezuko_bridge;
