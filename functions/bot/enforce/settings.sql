-- bot.settings: a group's effective settings: its params over the defaults
-- of the registry nezuko.group_settings (every setting present), read from
-- nezuko.group_settings_defaults, which a trigger keeps equal to the
-- registry's defaults.
create function bot.settings(p_params jsonb) returns jsonb
language sql stable parallel safe as $$
    select d.defaults || coalesce(p_params, '{}')
    from nezuko.group_settings_defaults d
$$;
grant execute on function bot.settings(jsonb) to nezuko_bridge;
