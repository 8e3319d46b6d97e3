-- api.list_admin_logs: application logs, newest first, filtered and paged.
create function api.list_admin_logs(
    p_min_level nezuko.log_level default null,
    p_search text default null,
    p_bot_instance_id bigint default null,
    p_since timestamptz default null,
    p_until timestamptz default null,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.admin_log_entry[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    levels constant text[] := array['DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL'];
    v_levels text[];
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    if p_min_level is not null and not upper(p_min_level) = any (levels) then
        raise exception 'p_min_level must be one of %', array_to_string(levels, ', ') using errcode = '22023';
    end if;
    v_levels := levels[coalesce(array_position(levels, upper(p_min_level)), 1):];
    with matching as (
        select l.* from nezuko.admin_logs l
        where l.level = any (v_levels)
          and (p_search is null or l.message ilike '%' || p_search || '%')
          and (p_bot_instance_id is null or l.bot_instance_id = p_bot_instance_id)
          and (p_since is null or l.timestamp >= p_since)
          and (p_until is null or l.timestamp < p_until)
    )
    select (select count(*) from matching),
           coalesce((select array_agg(row(l.id, l.level, l.logger, l.message, l.attributes, l.bot_instance_id,
                                          l.instance, l.timestamp)::api.admin_log_entry order by l.timestamp desc, l.id desc)
                     from (select * from matching order by timestamp desc, id desc limit p_limit offset p_offset) l), '{}')
    into total, items;
end
$$;
comment on function api.list_admin_logs(nezuko.log_level, text, bigint, timestamptz, timestamptz, nezuko.page_limit, nezuko.page_offset) is
    'Application logs, newest first, paginated with the total. p_min_level (DEBUG..CRITICAL) keeps that level and above; p_search matches the message; p_since/p_until bound the time [since, until).
@tag logs';
grant execute on function api.list_admin_logs(nezuko.log_level, text, bigint, timestamptz, timestamptz, nezuko.page_limit, nezuko.page_offset) to nezuko_viewer, nezuko_admin;
