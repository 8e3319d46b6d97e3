-- api.get_group: one protected group with its settings and channels.
create function api.get_group(p_group_id bigint) returns api.protected_group
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.protected_group;
begin
    select g.group_id, g.title, g.username, g.enabled, g.params, g.member_count, g.bot_instance_id, g.health,
           g.health_reason,
           array(select l.channel_id from nezuko.group_channel_links l where l.group_id = g.group_id order by l.channel_id),
           g.last_synced_at, g.created_at, g.updated_at
    into r
    from nezuko.protected_groups g where g.group_id = p_group_id;
    if not found then
        raise exception 'group % is not protected', p_group_id using hint = 'http:404';
    end if;
    return r;
end
$$;
comment on function api.get_group(bigint) is 'One protected group: settings (params), health and linked channel ids. 404 when the group is unknown.
@tag groups';
grant execute on function api.get_group(bigint) to nezuko_viewer, nezuko_admin;
