-- api.update_group: enable/disable a group and change its settings.
-- p_params is merged into the current params: a key set to null goes back to
-- the default (is removed). Validation is the table's CHECK
-- (nezuko.check_group_params), which names the bad setting (400).
create function api.update_group(
    p_group_id bigint,
    p_enabled boolean default null,
    p_params jsonb default null,
    p_title text default null
) returns api.protected_group
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_params is not null and jsonb_typeof(p_params) <> 'object' then
        raise exception 'p_params must be a JSON object' using errcode = '22023';
    end if;
    update nezuko.protected_groups g set
        enabled = coalesce(p_enabled, g.enabled),
        title = coalesce(p_title, g.title),
        params = case when p_params is null then g.params
                      else jsonb_strip_nulls(g.params || p_params) end
    where g.group_id = p_group_id;
    if not found then
        raise exception 'group % is not protected', p_group_id using hint = 'http:404';
    end if;
    return api.get_group(p_group_id);
end
$$;
comment on function api.update_group(bigint, boolean, jsonb, text) is
    'Changes a protected group: enabled, title, and settings. p_params is merged into the current settings (a key set to null returns to its default); an unknown or invalid setting is a 400 naming it. Returns the group; 404 when unknown.
@tag groups';
grant execute on function api.update_group(bigint, boolean, jsonb, text) to nezuko_admin;
