-- api.list_groups: protected groups, newest first, a page at a time with the
-- total that matches the filters.
create function api.list_groups(
    p_enabled boolean default null,
    p_search text default null,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.protected_group[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    with matching as (
        select g.* from nezuko.protected_groups g
        where (p_enabled is null or g.enabled = p_enabled)
          and (p_search is null or g.title ilike '%' || p_search || '%' or g.username ilike '%' || p_search || '%'
               or g.group_id::text = p_search)
    )
    select (select count(*) from matching),
           coalesce((select array_agg(row(g.group_id, g.title, g.username, g.enabled, g.params, g.member_count,
                         g.bot_instance_id, g.health, g.health_reason,
                         array(select l.channel_id from nezuko.group_channel_links l where l.group_id = g.group_id order by l.channel_id),
                         g.last_synced_at, g.created_at, g.updated_at)::api.protected_group order by g.created_at desc, g.group_id)
                     from (select * from matching order by created_at desc, group_id limit p_limit offset p_offset) g), '{}')
    into total, items;
end
$$;
comment on function api.list_groups(boolean, text, nezuko.page_limit, nezuko.page_offset) is
    'Protected groups, newest first, paginated (p_limit 1-500, p_offset), with the total matching count. p_enabled filters on enabled; p_search matches title, username (case-insensitive substring) or the exact group id.
@tag groups';
grant execute on function api.list_groups(boolean, text, nezuko.page_limit, nezuko.page_offset) to nezuko_viewer, nezuko_admin;
