-- api.list_bots: registered bots with their heartbeat, a page at a time with
-- the total; never a token.
create function api.list_bots(
    p_active boolean default null,
    p_limit nezuko.page_limit default 50,
    p_offset nezuko.page_offset default 0,
    out total bigint,
    out items api.bot_instance[]
)
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    perform analytics.check_page(p_limit, p_offset, 500);
    select (select count(*) from nezuko.bot_instances b where p_active is null or b.is_active = p_active),
           coalesce((select array_agg(row(b.id, b.bot_user_id, b.username, b.first_name, b.owner_id, b.is_active,
                                          b.update_mode, bot.live_status(s.status, s.last_heartbeat),
                                          case when s.status in ('degraded', 'error') then s.status_reason end, s.last_heartbeat,
                                          (select count(*) from nezuko.protected_groups g where g.bot_instance_id = b.id),
                                          b.created_at, b.updated_at)::api.bot_instance order by b.id)
                     from (select * from nezuko.bot_instances b where p_active is null or b.is_active = p_active
                           order by b.id limit p_limit offset p_offset) b
                     left join nezuko.bot_status s on s.bot_instance_id = b.id), '{}')
    into total, items;
end
$$;
comment on function api.list_bots(boolean, nezuko.page_limit, nezuko.page_offset) is 'Registered bots with status (offline when the last heartbeat is older than two heartbeat intervals), last heartbeat and number of groups, by id, paginated with the total; p_active filters. Tokens are never returned. Register a bot with POST /v1/bots.
@tag bots';
grant execute on function api.list_bots(boolean, nezuko.page_limit, nezuko.page_offset) to nezuko_viewer, nezuko_admin;
