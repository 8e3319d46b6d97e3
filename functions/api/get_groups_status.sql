-- api.get_groups_status: enabled vs disabled protected groups.
create function api.get_groups_status(
    out active bigint,
    out inactive bigint,
    out total bigint
)
language sql stable security definer
set search_path = pg_catalog, pg_temp
-- JIT compiling costs 100+ ms per query here, more than these queries take.
set jit = off
as $$
    select count(*) filter (where enabled), count(*) filter (where not enabled), count(*)
    from nezuko.protected_groups
$$;
comment on function api.get_groups_status() is $$Protected groups by state: active (enabled, enforcing), inactive (disabled) and total.$$;
grant execute on function api.get_groups_status() to nezuko_viewer, nezuko_admin;
