-- api.list_commands: the queue as the dashboard pages through it, newest
-- first, with the total of matching commands on every row.
create function api.list_commands(
    p_status          text default null,
    p_command_type    text default null,
    p_bot_instance_id bigint default null,
    p_limit           integer default 50,
    p_offset          integer default 0
) returns table (
    id               bigint,
    command_type     text,
    bot_instance_id  bigint,
    payload          jsonb,
    status           text,
    attempts         integer,
    max_attempts     integer,
    run_after        timestamptz,
    lease_owner      text,
    lease_expires_at timestamptz,
    result           jsonb,
    error            text,
    idempotency_key  text,
    created_by       bigint,
    created_at       timestamptz,
    started_at       timestamptz,
    finished_at      timestamptz,
    cancelled_at     timestamptz,
    total_count      bigint
)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp as $$
begin
    if p_status is not null and p_status not in ('pending', 'running', 'completed', 'failed', 'cancelled', 'unknown') then
        raise exception 'status must be pending, running, completed, failed, cancelled or unknown' using errcode = '22023';
    end if;
    perform nezuko.check_page(p_limit, p_offset, 1000);
    return query
    select c.id, c.command_type, c.bot_instance_id, c.payload, c.status, c.attempts, c.max_attempts,
           c.run_after, c.lease_owner, c.lease_expires_at, c.result, c.error, c.idempotency_key,
           c.created_by, c.created_at, c.started_at, c.finished_at, c.cancelled_at,
           count(*) over ()
    from nezuko.admin_commands c
    where (p_status is null or c.status = p_status)
      and (p_command_type is null or c.command_type = p_command_type)
      and (p_bot_instance_id is null or c.bot_instance_id = p_bot_instance_id)
    order by c.id desc
    limit p_limit offset p_offset;
end
$$;
comment on function api.list_commands(text, text, bigint, integer, integer) is
    'Admin commands, newest first, filtered by status, type and bot; limit 1-1000 with offset. '
    'total_count on each row is the number of matching commands (for paging).';
grant execute on function api.list_commands(text, text, bigint, integer, integer) to nezuko_viewer, nezuko_admin;
