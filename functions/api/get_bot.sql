-- api.get_bot: one registered bot with its heartbeat; never its token.
create function api.get_bot(p_bot_id bigint) returns api.bot_instance
language plpgsql stable security definer
set search_path = pg_catalog, pg_temp
as $$
declare
    r api.bot_instance;
begin
    select b.id, b.bot_user_id, b.username, b.first_name, b.owner_id, b.is_active, b.update_mode,
           bot.live_status(s.status, s.last_heartbeat),
           case when s.status in ('degraded', 'error') then s.status_reason end, s.last_heartbeat,
           (select count(*) from nezuko.protected_groups g where g.bot_instance_id = b.id),
           b.created_at, b.updated_at
    into r
    from nezuko.bot_instances b
    left join nezuko.bot_status s on s.bot_instance_id = b.id
    where b.id = p_bot_id;
    if not found then
        raise exception 'no bot with id %', p_bot_id using hint = 'http:404';
    end if;
    return r;
end
$$;
comment on function api.get_bot(bigint) is 'One registered bot with status (offline when the last heartbeat is older than two heartbeat intervals), last heartbeat and number of groups; never its token. 404 for an unknown id.
@tag bots';
grant execute on function api.get_bot(bigint) to nezuko_viewer, nezuko_admin;
