-- api.cancel_command: cancel a command that no worker has claimed yet.
-- Errors carry the HTTP status in the HINT (the API's http:NNN convention):
-- 404 for an unknown id, 409 for a command already claimed or finished.
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
            raise exception 'command % does not exist', p_id using hint = 'http:404';
        end if;
        raise exception 'command % is %, only a pending command can be cancelled', p_id, r.status
            using hint = 'http:409';
    end if;
    return r;
end
$$;
comment on function api.cancel_command(bigint) is
    'Cancel a pending command. A command already running or finished is refused (409); an unknown id is 404.';
grant execute on function api.cancel_command(bigint) to nezuko_admin;
