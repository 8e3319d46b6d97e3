-- api.get_top_groups: the groups with the most verifications.
create function api.get_top_groups(
    p_limit nezuko.top_limit default 10
) returns table (group_id bigint, title text, verifications bigint, success_rate numeric)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
-- These read a few thousand rollup rows: JIT compiling (100+ ms here) and
-- starting parallel workers (ms, and far more on a busy machine) cost more
-- than the query.
set jit = off
set max_parallel_workers_per_gather = 0
as $$
#variable_conflict use_column
begin
    if p_limit is null or p_limit not between 1 and 100 then
        raise exception 'p_limit must be between 1 and 100 (got %)', coalesce(p_limit::text, 'null')
            using errcode = '22023';
    end if;
    return query
    select t.group_id, coalesce(g.title, 'Unknown Group'), t.n, analytics.pct(t.verified, t.n)
    from nezuko.verification_group_totals t
    left join nezuko.protected_groups g on g.group_id = t.group_id
    order by t.n desc, t.group_id
    limit p_limit;
end
$$;
comment on function api.get_top_groups(nezuko.top_limit) is $$Groups with the most verifications (all retained log), most first.
group_id, title (Unknown Group when the group has no title or is no longer configured), verifications, success_rate (verified %, one decimal). Ties are ordered by group_id.
- p_limit: how many groups, 1 to 100 (default 10).
Errors: 22023 (HTTP 400) for a p_limit outside 1-100.$$;
grant execute on function api.get_top_groups(nezuko.top_limit) to nezuko_viewer, nezuko_admin;
