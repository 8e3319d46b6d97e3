-- api.link_channel: make a protected group enforce a channel. A channel not
-- yet known is registered with what is given, and a sync_channel command is
-- queued at once, so its title, username and invite link (the prompt's join
-- button) come from Telegram before the first non-subscriber writes.
create function api.link_channel(
    p_group_id bigint,
    p_channel_id bigint,
    p_username text default null,
    p_title text default null
) returns api.enforced_channel
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.enforced_channel;
begin
    if not exists (select from nezuko.protected_groups where group_id = p_group_id) then
        raise exception 'group % is not protected', p_group_id using hint = 'http:404';
    end if;
    if p_channel_id = p_group_id then
        raise exception 'a group cannot enforce itself' using errcode = '22023';
    end if;
    insert into nezuko.enforced_channels (channel_id, username, title)
    values (p_channel_id, ltrim(p_username, '@'), p_title)
    on conflict (channel_id) do nothing;
    insert into nezuko.group_channel_links (group_id, channel_id) values (p_group_id, p_channel_id);
    insert into nezuko.admin_commands (command_type, payload)
    select 'sync_channel', jsonb_build_object('channel_id', p_channel_id)
    from nezuko.enforced_channels c
    where c.channel_id = p_channel_id and c.last_synced_at is null
      and not exists (select from nezuko.admin_commands a
                      where a.command_type = 'sync_channel' and a.status in ('pending', 'running')
                        and a.payload->>'channel_id' = p_channel_id::text);
    select c.channel_id, c.title, c.username, c.invite_link, c.subscriber_count, c.bot_is_admin, c.health,
           c.health_reason,
           array(select l.group_id from nezuko.group_channel_links l where l.channel_id = c.channel_id order by l.group_id),
           c.last_synced_at, c.created_at
    into r from nezuko.enforced_channels c where c.channel_id = p_channel_id;
    return r;
end
$$;
comment on function api.link_channel(bigint, bigint, text, text) is
    'Links a channel to a protected group (registering the channel when new, and queueing a sync_channel command so its title, username and invite link are filled at once). 404 for an unknown group, 409 when already linked. Returns the channel.
@tag channels';
grant execute on function api.link_channel(bigint, bigint, text, text) to nezuko_admin;
