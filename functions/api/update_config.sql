-- api.update_config: change one setting. The value must be JSON of the
-- setting's type and within its range; each failure names the key (400).
create function api.update_config(p_key text, p_value jsonb) returns api.config_entry
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    c nezuko.admin_config;
    v_bad boolean;
    v_admin bigint := nullif(current_setting('nezuko.admin_id', true), '')::bigint;
begin
    select * into c from nezuko.admin_config where key = p_key for update;
    if not found then
        raise exception 'unknown setting "%"', p_key using hint = 'http:404';
    end if;
    if p_value is null or jsonb_typeof(p_value) = 'null' then
        raise exception 'setting "%" needs a value', p_key using errcode = '22023';
    end if;
    v_bad := case c.value_type
        when 'integer' then jsonb_typeof(p_value) <> 'number' or (p_value #>> '{}')::numeric <> trunc((p_value #>> '{}')::numeric)
        when 'number'  then jsonb_typeof(p_value) <> 'number'
        when 'boolean' then jsonb_typeof(p_value) <> 'boolean'
        when 'string'  then jsonb_typeof(p_value) <> 'string'
    end;
    if v_bad then
        raise exception 'setting "%" takes a value of type %, not %', p_key, c.value_type, p_value using errcode = '22023';
    end if;
    if jsonb_typeof(p_value) = 'number' and ((c.min_value is not null and (p_value #>> '{}')::numeric < c.min_value)
            or (c.max_value is not null and (p_value #>> '{}')::numeric > c.max_value)) then
        raise exception 'setting "%" must be between % and %, not %', p_key,
            coalesce(c.min_value::text, '-inf'), coalesce(c.max_value::text, 'inf'), p_value using errcode = '22023';
    end if;
    update nezuko.admin_config set value = p_value, updated_by = v_admin, updated_at = now()
    where key = p_key
    returning * into c;
    return row(c.key, c.value, c.value_type, c.min_value, c.max_value, c.description, c.updated_by, c.updated_at)::api.config_entry;
end
$$;
comment on function api.update_config(text, jsonb) is
    'Sets one system setting. p_value is JSON of the setting''s type (integer, number, boolean, string) within its range; otherwise 400 naming the key. 404 for an unknown key.
@tag config';
grant execute on function api.update_config(text, jsonb) to nezuko_admin;
