-- api.list_bots: registered bots with their heartbeat; never a token.
create function api.list_bots() returns setof api.bot_instance
language sql stable security definer
set search_path = pg_catalog, pg_temp
as $$
    select b.id, b.bot_user_id, b.username, b.first_name, b.owner_id, b.is_active, b.update_mode,
           s.status, s.last_heartbeat,
           (select count(*) from nezuko.protected_groups g where g.bot_instance_id = b.id),
           b.created_at, b.updated_at
    from nezuko.bot_instances b
    left join nezuko.bot_status s on s.bot_instance_id = b.id
    order by b.id
$$;
comment on function api.list_bots() is 'Registered bots with status, last heartbeat and number of groups. Tokens are never returned. Register a bot with POST /v1/bots.
@tag bots';
grant execute on function api.list_bots() to nezuko_viewer, nezuko_admin;
