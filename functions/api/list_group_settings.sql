-- api.list_group_settings: the registry of per-group settings, in /settings
-- order; a language setting lists the languages the bot speaks. One shape
-- with every list of the API: {total, items} (the registry is small: no
-- paging).
create function api.list_group_settings(out total bigint, out items api.group_setting[])
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select count(*),
           coalesce(array_agg(row(s.name, s.value_type, s.default_value,
                                  case when s.value_type = 'language' then nezuko.text_languages() else s.allowed_values end,
                                  s.min_value, s.max_value, s.description)::api.group_setting order by s.position), '{}')
    from nezuko.group_settings s
$$;
comment on function api.list_group_settings() is 'Every per-group setting a group''s params may hold (PATCH them with update_group): type, default, allowed values, bounds and description.
@tag groups';
grant execute on function api.list_group_settings() to nezuko_viewer, nezuko_admin;
