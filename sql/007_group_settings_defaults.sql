-- The registry's defaults as one JSON object, kept by a trigger on
-- nezuko.group_settings (triggers/bot/group_settings_defaults.sql).
-- bot.settings runs twice per decided message; aggregating the registry
-- there cost ~40 us a call, a third of a cache-hit decision's SQL time
-- (psql, CPU time of the backend over 4,000 updates).
create table nezuko.group_settings_defaults (
    singleton boolean primary key default true check (singleton),
    defaults  jsonb not null check (jsonb_typeof(defaults) = 'object')
);
comment on table nezuko.group_settings_defaults is
    'One row: every setting of nezuko.group_settings with its default_value, as one JSON object (bot.settings). Kept by a trigger on group_settings; never written by hand.';

insert into nezuko.group_settings_defaults (defaults)
select coalesce(jsonb_object_agg(name, default_value), '{}') from nezuko.group_settings;

grant select on nezuko.group_settings_defaults to nezuko_bridge;
