-- bot.plan_command: what a running Telegram-side command means, as a plan
-- (gobridge/plan shape) for the bot executor, and which bot carries it out:
-- the command's own bot, else the bot protecting its group, else for a
-- channel the bot of a group linked to it. bot_instance_id null = no bot can
-- run it (the worker fails the attempt with "no bot").
-- Handing out a plan with a bot marks the attempt dispatched
-- (admin_commands.dispatched_at): from the commit of this call on, the
-- worker may reach Telegram, so a rescue of this attempt treats its outcome
-- as unknown (re-run only when command_types.repeatable). The worker calls
-- this in its own transaction before any call; that transaction commits
-- synchronously even where synchronous_commit is off (the claim's is), and
-- its flush makes the claim durable too (see bot.claim_commands).
-- p_worker and p_started_at (the claim's started_at), when given, name the
-- attempt the caller holds: any other raises 55000, so a worker still
-- holding a claim that a PostgreSQL crash lost (the command was claimed
-- again since, with the same attempt number) cannot send it a second time.
-- unmute_user first re-checks every channel linked to the group (fresh, past
-- the cache) and resumes in bot.resume_unmute_command with the answers.
create function bot.plan_command(p_command_id bigint, p_worker text default null,
                                 p_started_at timestamptz default null)
returns table (bot_instance_id bigint, plan jsonb)
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    c nezuko.admin_commands;
    bot_id bigint;
    chat bigint;
    usr bigint;
    until_date bigint;
    checks jsonb;
begin
    select * into c from nezuko.admin_commands where id = p_command_id for update;
    if not found then
        raise exception 'command % does not exist', p_command_id using errcode = 'P0002';
    end if;
    if c.status <> 'running' then
        raise exception 'command % is %, not running', p_command_id, c.status using errcode = '55000';
    end if;
    if c.lease_owner is distinct from coalesce(p_worker, c.lease_owner) then
        raise exception 'command % is held by another worker, not %', p_command_id, p_worker using errcode = '55000';
    end if;
    if c.started_at is distinct from coalesce(p_started_at, c.started_at) then
        raise exception 'the attempt of command % that started at % is over (this one started at %)',
            p_command_id, p_started_at, c.started_at using errcode = '55000';
    end if;
    chat := coalesce(c.payload ->> 'group_id', c.payload ->> 'channel_id')::bigint;
    usr := (c.payload ->> 'user_id')::bigint;
    bot_id := coalesce(c.bot_instance_id,
        (select g.bot_instance_id from nezuko.protected_groups g where g.group_id = chat),
        (select g.bot_instance_id from nezuko.group_channel_links l
         join nezuko.protected_groups g on g.group_id = l.group_id
         where l.channel_id = chat and g.bot_instance_id is not null
         order by g.enabled desc, g.group_id limit 1));
    if coalesce((c.payload ->> 'until_seconds')::bigint, 0) > 0 then
        until_date := extract(epoch from now())::bigint + (c.payload ->> 'until_seconds')::bigint;
    end if;
    bot_instance_id := bot_id;
    plan := case c.command_type
        when 'ban_user' then jsonb_build_object('calls', jsonb_build_array(jsonb_build_object(
            'method', 'banChatMember',
            'params', jsonb_strip_nulls(jsonb_build_object('chat_id', chat, 'user_id', usr, 'until_date', until_date,
                                                           'revoke_messages', c.payload -> 'revoke_messages')))))
        when 'unban_user' then jsonb_build_object('calls', jsonb_build_array(jsonb_build_object(
            'method', 'unbanChatMember',
            'params', jsonb_build_object('chat_id', chat, 'user_id', usr, 'only_if_banned', true))))
        when 'mute_user' then jsonb_build_object('calls', jsonb_build_array(jsonb_build_object(
            'method', 'restrictChatMember',
            'params', jsonb_strip_nulls(jsonb_build_object('chat_id', chat, 'user_id', usr, 'until_date', until_date,
                'permissions', bot.mute_permissions())))))
        when 'send_message' then jsonb_build_object('calls', jsonb_build_array(jsonb_build_object(
            'method', 'sendMessage',
            'params', jsonb_strip_nulls(jsonb_build_object('chat_id', chat, 'text', c.payload ->> 'text',
                'parse_mode', c.payload ->> 'parse_mode', 'disable_notification', c.payload -> 'disable_notification')))))
        when 'sync_group' then jsonb_build_object('calls', jsonb_build_array(
            jsonb_build_object('method', 'getChat', 'params', jsonb_build_object('chat_id', chat)),
            jsonb_build_object('method', 'getChatMemberCount', 'params', jsonb_build_object('chat_id', chat)),
            jsonb_build_object('method', 'getChatMember', 'params', jsonb_build_object('chat_id', chat,
                'user_id', (select b.bot_user_id from nezuko.bot_instances b where b.id = bot_id)))))
        when 'sync_channel' then jsonb_build_object('calls', jsonb_build_array(
            jsonb_build_object('method', 'getChat', 'params', jsonb_build_object('chat_id', chat)),
            jsonb_build_object('method', 'getChatMemberCount', 'params', jsonb_build_object('chat_id', chat))))
        when 'leave_group' then jsonb_build_object('calls', jsonb_build_array(jsonb_build_object(
            'method', 'leaveChat', 'params', jsonb_build_object('chat_id', chat))))
        when 'unmute_user' then jsonb_build_object(
            'checks', (select coalesce(jsonb_agg(jsonb_build_object('chat_id', l.channel_id, 'user_id', usr, 'fresh', true)
                                                 order by l.channel_id), '[]')
                       from nezuko.group_channel_links l where l.group_id = chat),
            'resume', 'bot.resume_unmute_command',
            'state', jsonb_build_object('command_id', c.id, 'group_id', chat, 'user_id', usr))
    end;
    if plan is null then
        raise exception 'command type % runs in SQL, not through a plan (bot.execute_command)', c.command_type
            using errcode = '22023';
    end if;
    if bot_id is not null then
        update nezuko.admin_commands set dispatched_at = now() where id = p_command_id;
        -- The commit that lets the worker reach Telegram is flushed first.
        if current_setting('synchronous_commit') = 'off' then
            perform set_config('synchronous_commit', 'on', true);
        end if;
    end if;
    return next;
end
$$;
comment on function bot.plan_command(bigint, text, timestamptz) is
    'The Bot API plan for a running Telegram-side command, and the bot to run it (null: no bot can). Marks the attempt dispatched when a bot is found; with p_worker and p_started_at, only for the attempt they name.';
grant execute on function bot.plan_command(bigint, text, timestamptz) to nezuko_bridge;
