-- bot.config_int: an integer admin_config value (the seeded default when unset).
create function bot.config_int(p_key text, p_default integer) returns integer
language sql stable parallel safe as $$
    select coalesce((select (value #>> '{}')::integer from nezuko.admin_config where key = p_key), p_default)
$$;
grant execute on function bot.config_int(text, integer) to nezuko_bridge;
