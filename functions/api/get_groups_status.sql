-- api.get_groups_status: enabled vs disabled protected groups.
create function api.get_groups_status(
    out active bigint,
    out inactive bigint,
    out total bigint
)
language sql stable security definer
set search_path = pg_catalog, pg_temp
-- These read a few thousand rollup rows: JIT compiling (100+ ms here) and
-- starting parallel workers (ms, and far more on a busy machine) cost more
-- than the query.
set jit = off
set max_parallel_workers_per_gather = 0
as $$
    select count(*) filter (where enabled), count(*) filter (where not enabled), count(*)
    from nezuko.protected_groups
$$;
comment on function api.get_groups_status() is $$Protected groups by state: active (enabled, enforcing), inactive (disabled) and total.$$;
grant execute on function api.get_groups_status() to nezuko_viewer, nezuko_admin;
