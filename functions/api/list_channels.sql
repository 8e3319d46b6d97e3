-- api.list_channels: enforced channels, a page at a time with the total.
create function api.list_channels(
    p_group_id bigint default null,
    p_search text default null,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.enforced_channel[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    with matching as (
        select c.* from nezuko.enforced_channels c
        where (p_group_id is null or exists (select from nezuko.group_channel_links l
                                             where l.channel_id = c.channel_id and l.group_id = p_group_id))
          and (p_search is null or c.title ilike '%' || p_search || '%' or c.username ilike '%' || p_search || '%'
               or c.channel_id::text = p_search)
    )
    select (select count(*) from matching),
           coalesce((select array_agg(row(c.channel_id, c.title, c.username, c.invite_link, c.subscriber_count,
                         c.bot_is_admin, c.health, c.health_reason,
                         array(select l.group_id from nezuko.group_channel_links l where l.channel_id = c.channel_id order by l.group_id),
                         c.last_synced_at, c.created_at)::api.enforced_channel order by c.created_at desc, c.channel_id)
                     from (select * from matching order by created_at desc, channel_id limit p_limit offset p_offset) c), '{}')
    into total, items;
end
$$;
comment on function api.list_channels(bigint, text, nezuko.page_limit, nezuko.page_offset) is
    'Enforced channels, newest first, paginated (p_limit 1-500, p_offset) with the total. p_group_id keeps the channels of one group; p_search matches title, username or the exact id.
@tag channels';
grant execute on function api.list_channels(bigint, text, nezuko.page_limit, nezuko.page_offset) to nezuko_viewer, nezuko_admin;
