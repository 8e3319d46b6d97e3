-- api.cancel_command: cancel a command that no worker has claimed yet.
create function api.cancel_command(p_id bigint) returns nezuko.admin_commands
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    r nezuko.admin_commands;
begin
    update nezuko.admin_commands
    set status = 'cancelled', cancelled_at = now(), finished_at = now()
    where id = p_id and status = 'pending'
    returning * into r;
    if r.id is null then
        select * into r from nezuko.admin_commands where id = p_id;
        if r.id is null then
            raise exception 'command % does not exist', p_id using errcode = 'P0002';
        end if;
        raise exception 'command % is %, only a pending command can be cancelled', p_id, r.status
            using errcode = '55000';
    end if;
    return r;
end
$$;
comment on function api.cancel_command(bigint) is
    'Cancel a pending command. A command already running or finished is refused (55000); an unknown id is P0002.';
grant execute on function api.cancel_command(bigint) to nezuko_admin;
