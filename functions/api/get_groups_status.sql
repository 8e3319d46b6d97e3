-- api.get_groups_status: enabled vs disabled protected groups.
create function api.get_groups_status(
    out active bigint,
    out inactive bigint,
    out total bigint
)
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select count(*) filter (where enabled), count(*) filter (where not enabled), count(*)
    from nezuko.protected_groups
$$;
comment on function api.get_groups_status() is $$Protected groups by state: active (enabled, enforcing), inactive (disabled) and total.$$;
grant execute on function api.get_groups_status() to nezuko_viewer, nezuko_admin;
