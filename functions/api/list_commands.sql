-- api.list_commands: the queue as the dashboard pages through it, newest
-- first, with the total of matching commands ({total, items} like every list).
create function api.list_commands(
    p_status          nezuko.command_status default null,
    p_command_type    text default null,
    p_bot_instance_id bigint default null,
    p_limit           nezuko.command_page_limit default 50,
    p_offset          nezuko.page_offset default 0,
    out total         bigint,
    out items         nezuko.admin_commands[]
)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
begin
    perform analytics.check_page(p_limit, p_offset, 1000);
    with matching as (
        select c.* from nezuko.admin_commands c
        where (p_status is null or c.status = p_status)
          and (p_command_type is null or c.command_type = p_command_type)
          and (p_bot_instance_id is null or c.bot_instance_id = p_bot_instance_id)
    )
    select (select count(*) from matching),
           coalesce((select array_agg(c order by c.id desc)
                     from (select * from matching order by id desc limit p_limit offset p_offset) c), '{}')
    into total, items;
end
$$;
comment on function api.list_commands(nezuko.command_status, text, bigint, nezuko.command_page_limit, nezuko.page_offset) is
    'Admin commands, newest first, filtered by status, type and bot; limit 1-1000 with offset. '
    'total is the number of matching commands (for paging), items the page.';
grant execute on function api.list_commands(nezuko.command_status, text, bigint, nezuko.command_page_limit, nezuko.page_offset) to nezuko_viewer, nezuko_admin;
