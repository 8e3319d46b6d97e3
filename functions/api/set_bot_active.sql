-- api.set_bot_active: start or stop running a bot (the bridge follows).
create function api.set_bot_active(p_bot_id bigint, p_active boolean) returns api.bot_instance
language plpgsql volatile security definer
set search_path = pg_catalog, pg_temp
as $$
begin
    if p_active is null then
        raise exception 'p_active must be true or false' using errcode = '22023';
    end if;
    update nezuko.bot_instances set is_active = p_active where id = p_bot_id;
    if not found then
        raise exception 'no bot with id %', p_bot_id using hint = 'http:404';
    end if;
    return api.get_bot(p_bot_id);
end
$$;
comment on function api.set_bot_active(bigint, boolean) is 'Activates or deactivates a registered bot; the bridge starts or stops it without a restart. 404 for an unknown bot.
@tag bots';
grant execute on function api.set_bot_active(bigint, boolean) to nezuko_admin;
