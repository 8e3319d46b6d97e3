-- triggers.group_settings_defaults: after any change to the settings
-- registry, nezuko.group_settings_defaults holds its defaults again (one
-- JSON object: bot.settings reads it instead of aggregating the registry
-- on every decision).
create function triggers.group_settings_defaults() returns trigger
language plpgsql as $$
begin
    update nezuko.group_settings_defaults
    set defaults = (select coalesce(jsonb_object_agg(name, default_value), '{}') from nezuko.group_settings);
    return null;
end
$$;
comment on function triggers.group_settings_defaults() is
    'Statement-level trigger on nezuko.group_settings: recomputes nezuko.group_settings_defaults.';

create trigger group_settings_defaults after insert or update or delete or truncate on nezuko.group_settings
    for each statement execute function triggers.group_settings_defaults();
