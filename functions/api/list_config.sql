-- api.list_config: every typed system setting.
create function api.list_config() returns setof api.config_entry
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select c.key, c.value, c.value_type, c.min_value, c.max_value, c.description, c.updated_by, c.updated_at
    from nezuko.admin_config c order by c.key
$$;
comment on function api.list_config() is 'Every system setting with its type, allowed range and description, by key.
@tag config';
grant execute on function api.list_config() to nezuko_viewer, nezuko_admin;
