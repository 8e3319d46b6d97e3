-- bot.settings: a group's effective settings: its params over the defaults
-- of the registry nezuko.group_settings (every setting present).
create function bot.settings(p_params jsonb) returns jsonb
language sql stable parallel safe as $$
    select coalesce(jsonb_object_agg(name, default_value), '{}') || coalesce(p_params, '{}')
    from nezuko.group_settings
$$;
grant execute on function bot.settings(jsonb) to nezuko_bridge;
