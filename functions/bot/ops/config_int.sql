-- bot.config_int: an integer admin_config value (the seeded default when unset).
-- PL/pgSQL, so its lookup's plan is cached for the session: a SQL function
-- with a subquery is never inlined, and called from a query it was planned
-- again at every execution of that query (~26 µs against ~9 µs per call
-- inside a statement, psql, 5,000 calls; four calls per cache-miss update).
create function bot.config_int(p_key text, p_default integer) returns integer
language plpgsql stable parallel safe as $$
begin
    return coalesce((select (value #>> '{}')::integer from nezuko.admin_config where key = p_key), p_default);
end
$$;
grant execute on function bot.config_int(text, integer) to nezuko_bridge;
