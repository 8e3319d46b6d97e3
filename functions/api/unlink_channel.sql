-- api.unlink_channel: stop enforcing a channel in a group. The channel row
-- stays (other groups may use it; its history is kept).
create function api.unlink_channel(p_group_id bigint, p_channel_id bigint, out unlinked boolean)
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    delete from nezuko.group_channel_links where group_id = p_group_id and channel_id = p_channel_id;
    if not found then
        raise exception 'channel % is not linked to group %', p_channel_id, p_group_id using hint = 'http:404';
    end if;
    unlinked := true;
end
$$;
comment on function api.unlink_channel(bigint, bigint) is 'Unlinks a channel from a group; 404 when it was not linked.
@tag channels';
grant execute on function api.unlink_channel(bigint, bigint) to nezuko_admin;
