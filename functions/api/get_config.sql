-- api.get_config: one typed setting.
create function api.get_config(p_key text) returns api.config_entry
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.config_entry;
begin
    select c.key, c.value, c.value_type, c.min_value, c.max_value, c.description, c.updated_by, c.updated_at
    into r from nezuko.admin_config c where c.key = p_key;
    if not found then
        raise exception 'unknown setting "%"', p_key using hint = 'http:404';
    end if;
    return r;
end
$$;
comment on function api.get_config(text) is 'One system setting with its type, allowed range and description. 404 for an unknown key.
@tag config';
grant execute on function api.get_config(text) to nezuko_viewer, nezuko_admin;
