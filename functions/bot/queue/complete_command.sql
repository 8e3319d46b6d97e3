-- bot.complete_command: the worker reports what executing a command gave.
-- SQL decides what it means: a Bot API call that failed makes it a failed
-- attempt (retried when Telegram may answer differently later: 429, 5xx, no
-- answer; failed at once for 4xx such as "chat not found"); a sync command's
-- answers are stored in protected_groups / enforced_channels; otherwise the
-- command is completed with p_result.
-- Returns the new status, or null when p_worker no longer holds the lease
-- (or, with p_started_at, the attempt that started then: see
-- bot.claim_commands).
-- A command rescued as 'unknown' (its worker lost the database for longer
-- than the lease) is still settled by that worker's report.
create function bot.complete_command(p_id bigint, p_worker text, p_result jsonb,
                                     p_started_at timestamptz default null) returns text
language plpgsql volatile security definer set search_path = pg_catalog, pg_temp as $$
declare
    c nezuko.admin_commands;
    bad jsonb;
    calls jsonb := coalesce(p_result -> 'calls', '[]');
    chat jsonb;
    cnt jsonb;
    me jsonb;
begin
    select * into c from nezuko.admin_commands
    where id = p_id and status in ('running', 'unknown') and lease_owner = p_worker
      and (p_started_at is null or started_at = p_started_at)
    for update;
    if not found then
        return null;
    end if;
    if jsonb_typeof(calls) = 'array' then
        select e into bad from jsonb_array_elements(calls) e where e -> 'ok' = 'false' limit 1;
    end if;
    if bad is not null then
        -- 4xx: Telegram refused, nothing happened, retrying cannot help.
        -- 429: refused for now, nothing happened: retry. No answer or 5xx:
        -- the call may have taken effect (bot.fail_command decides, by the
        -- type's repeatable flag).
        return bot.fail_command(p_id, p_worker,
            coalesce(bad ->> 'method', 'call') || ': ' || coalesce(bad ->> 'description', 'failed'),
            coalesce((bad ->> 'error_code')::integer, 0) not between 400 and 499
                or (bad ->> 'error_code')::integer = 429,
            case when (bad ->> 'error_code')::integer = 429 then false end);
    end if;
    select e -> 'result' into chat from jsonb_array_elements(calls) e where e ->> 'method' = 'getChat' limit 1;
    select e -> 'result' into cnt from jsonb_array_elements(calls) e where e ->> 'method' = 'getChatMemberCount' limit 1;
    select e -> 'result' into me from jsonb_array_elements(calls) e where e ->> 'method' = 'getChatMember' limit 1;
    if c.command_type = 'sync_group' then
        update nezuko.protected_groups g
        set title = coalesce(chat ->> 'title', g.title),
            username = case when chat is null then g.username else chat ->> 'username' end,
            member_count = coalesce((cnt #>> '{}')::integer, g.member_count),
            bot_rights = coalesce(me, g.bot_rights),
            last_synced_at = now()
        where g.group_id = (c.payload ->> 'group_id')::bigint;
    elsif c.command_type = 'sync_channel' then
        update nezuko.enforced_channels ch
        set title = coalesce(chat ->> 'title', ch.title),
            username = case when chat is null then ch.username else chat ->> 'username' end,
            -- A public channel's link is t.me/username; a private one's is
            -- its primary invite link (getChat shows it to admins only).
            invite_link = coalesce(case when chat ->> 'username' is not null then 'https://t.me/' || (chat ->> 'username') end,
                                   chat ->> 'invite_link', ch.invite_link),
            subscriber_count = coalesce((cnt #>> '{}')::integer, ch.subscriber_count),
            last_synced_at = now()
        where ch.channel_id = (c.payload ->> 'channel_id')::bigint;
    end if;
    update nezuko.admin_commands
    set status = 'completed', result = coalesce(p_result, '{}'), error = null, finished_at = now(),
        lease_owner = null, lease_expires_at = null, dispatched_at = null
    where id = p_id;
    return 'completed';
end
$$;
comment on function bot.complete_command(bigint, text, jsonb, timestamptz) is
    'Finish a running command with the executor''s result ({"calls": [CallResult...]}); a failed Bot API call turns it into a failed attempt. Null when the lease was lost.';
grant execute on function bot.complete_command(bigint, text, jsonb, timestamptz) to nezuko_bridge;
