-- api.list_group_settings: the registry of per-group settings, in /settings
-- order; a language setting lists the languages the bot speaks.
create function api.list_group_settings() returns setof api.group_setting
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select s.name, s.value_type, s.default_value,
           case when s.value_type = 'language' then nezuko.text_languages() else s.allowed_values end,
           s.min_value, s.max_value, s.description
    from nezuko.group_settings s order by s.position
$$;
comment on function api.list_group_settings() is 'Every per-group setting a group''s params may hold (PATCH them with update_group): type, default, allowed values, bounds and description.
@tag groups';
grant execute on function api.list_group_settings() to nezuko_viewer, nezuko_admin;
