-- api.enqueue_command: queue a command for the bots (the dashboard's way to
-- make a bot act). The type and payload are validated at INSERT (22023 with
-- the bad field named); the INSERT rings the workers' doorbell.
create function api.enqueue_command(
    p_command_type    text,
    p_payload         jsonb default '{}',
    p_bot_instance_id bigint default null,
    p_run_after       timestamptz default null,
    p_max_attempts    integer default null,
    p_idempotency_key text default null
) returns nezuko.admin_commands
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    r nezuko.admin_commands;
    bot_id bigint := p_bot_instance_id;
begin
    if p_bot_instance_id is not null
            and not exists (select from nezuko.bot_instances where id = p_bot_instance_id) then
        raise exception 'bot instance % does not exist', p_bot_instance_id using errcode = '22023';
    end if;
    -- Validated here too (the INSERT checks again) so that a bad group_id
    -- gets its clear message before the lookup below casts it.
    perform bot.validate_command(p_command_type, coalesce(p_payload, '{}'));
    -- A Telegram-side command with no bot given goes to the bot protecting
    -- its group, so the process running that bot claims it.
    if bot_id is null and p_payload ? 'group_id'
            and (select needs_bot from nezuko.command_types where name = p_command_type) then
        bot_id := (select g.bot_instance_id from nezuko.protected_groups g
                   where g.group_id = (p_payload ->> 'group_id')::bigint);
    end if;
    insert into nezuko.admin_commands
        (command_type, payload, bot_instance_id, run_after, max_attempts, idempotency_key, created_by)
    values (p_command_type, coalesce(p_payload, '{}'), bot_id, coalesce(p_run_after, now()),
            coalesce(p_max_attempts,
                     (select (value #>> '{}')::integer from nezuko.admin_config where key = 'command_max_attempts'), 5),
            p_idempotency_key, nullif(current_setting('nezuko.admin_id', true), '')::bigint)
    on conflict (idempotency_key) where status in ('pending', 'running') do nothing
    returning * into r;
    if r.id is null then
        -- The same idempotency key is already queued or running: that command is the answer.
        select * into r from nezuko.admin_commands
        where idempotency_key = p_idempotency_key and status in ('pending', 'running');
    end if;
    return r;
end
$$;
comment on function api.enqueue_command(text, jsonb, bigint, timestamptz, integer, text) is
    'Queue an admin command (ban_user, unban_user, mute_user, unmute_user, send_message, sync_group, sync_channel, '
    'leave_group, clear_cache). The payload is checked against the type''s rules (22023 names the bad field). '
    'With an idempotency key already pending or running, returns that command instead of a new one.';
grant execute on function api.enqueue_command(text, jsonb, bigint, timestamptz, integer, text) to nezuko_admin;
